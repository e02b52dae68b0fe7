import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActionError, ShellAction } from '../../../src/actions/shell-action.ts';
import { TemplateError } from '../../../src/actions/shell-quote.ts';
import type { ActionEvent } from '../../../src/ban/ports.ts';
import { loadActionFile } from '../../../src/config/action-file.ts';
import { parseAddress } from '../../../src/core/address.ts';

let dir: string;
let log: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-shell-action-'));
  mkdirSync(join(dir, 'action.d'));
  log = join(dir, 'log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes action.d/NAME.conf with `[Init] log = …` and the given [Definition] lines, then loads it. */
function action(
  name: string,
  definition: Record<string, string>,
  init: Record<string, string> = {},
  warn?: (...args: unknown[]) => void,
) {
  const lines = Object.entries(definition).map(([k, v]) => `${k} = ${v.replaceAll('\n', '\n    ')}`);
  const inits = Object.entries({ log, ...init }).map(([k, v]) => `${k} = ${v}`);
  writeFileSync(
    join(dir, 'action.d', `${name}.conf`),
    ['[Definition]', ...lines, '[Init]', ...inits].join('\n'),
  );
  const loaded = loadActionFile(dir, { name, args: {} }, { jail: 'sshd' });
  if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
  const now = () => 1_700_000_000_000;
  return new ShellAction({ jail: 'sshd', config: loaded.action, now, ...(warn && { log: { warn } }) });
}

function event(ip: string, over: Partial<ActionEvent> = {}): ActionEvent {
  return {
    jail: 'sshd',
    address: parseAddress(ip)!,
    failures: 3,
    time: 1_700_000_000_000,
    bantimeMs: 600_000,
    banCount: 0,
    matches: [`Failed password for root from ${ip}`],
    fields: {},
    ipMatches: () => [],
    ipJailMatches: () => [],
    restored: false,
    ...over,
  };
}

const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(0, -1) : []);
// `%%` because action files are INI with %(x)s interpolation, as in fail2ban.
const append = (what: string) => `printf '%%s\\n' "${what}" >> <log>`;

describe('ShellAction', () => {
  it('runs start, ban, unban and stop, with tags filled in', async () => {
    const a = action('notify', {
      actionstart: append('start <name>'),
      actionban: "printf '%%s %%s %%s\\n' <ip> <failures> <name> >> <log>",
      actionunban: append('unban <ip> after <bantime>s'),
      actionstop: append('stop'),
    });
    await a.start();
    await a.ban(event('192.0.2.1'));
    await a.unban(event('192.0.2.1'));
    await a.stop();
    expect(lines()).toEqual(['start sshd', '192.0.2.1 3 sshd', 'unban 192.0.2.1 after 600s', 'stop']);
  });

  it('hands hostile log lines to the command literally, inside double quotes', async () => {
    const marker = join(dir, 'MARK');
    const a = action('lines', { actionban: append('<ip>: <matches>') });
    const matches = [
      `$(touch ${marker})`,
      `"; touch ${marker}; "`,
      `\`touch ${marker}\``,
      "it's \\ ~!\n;|&*",
    ];
    await a.ban(event('192.0.2.9', { matches }));
    expect(readFileSync(log, 'utf8')).toBe(`192.0.2.9: ${matches.join('\n')}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs commands one at a time, in call order', async () => {
    const a = action('slow', {
      actionban: 'sleep 0.2; ' + append('ban <ip>'),
      actionunban: append('unban <ip>'),
    });
    await Promise.all([a.ban(event('192.0.2.1')), a.unban(event('192.0.2.1')), a.ban(event('192.0.2.2'))]);
    expect(lines()).toEqual(['ban 192.0.2.1', 'unban 192.0.2.1', 'ban 192.0.2.2']);
  });

  it('repairs with actionrepair when actioncheck fails, checks again, then bans', async () => {
    const state = join(dir, 'state');
    const a = action('checked', {
      actioncheck: `test -e ${state}`,
      actionrepair: `touch ${state}; ${append('repair')}`,
      actionban: append('ban <ip>'),
    });
    await a.ban(event('192.0.2.1'));
    await a.ban(event('192.0.2.2'));
    expect(lines()).toEqual(['repair', 'ban 192.0.2.1', 'ban 192.0.2.2']);
  });

  it('without actionrepair, restarts the action (stop, start) to repair', async () => {
    const state = join(dir, 'state');
    const a = action('restart', {
      actionstart: `touch ${state}; ${append('start')}`,
      actionstop: `rm -f ${state}; ${append('stop')}`,
      actioncheck: `test -e ${state}`,
      actionban: append('ban <ip>'),
    });
    await a.ban(event('192.0.2.1'));
    expect(lines()).toEqual(['stop', 'start', 'ban 192.0.2.1']);
  });

  it('does not ban when the check still fails after the repair, and says which command failed', async () => {
    const warn = vi.fn();
    const definition = { actioncheck: 'false', actionrepair: append('repair'), actionban: append('ban') };
    const err = await action('broken', definition, {}, warn)
      .ban(event('192.0.2.1'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err).toMatchObject({ jail: 'sshd', action: 'broken', operation: 'actioncheck', command: 'false' });
    expect(lines()).toEqual(['repair']);
    expect(warn).toHaveBeenCalledOnce();
  });

  it('rejects with the jail, the action, the command, its status and stderr', async () => {
    const a = action('failing', { actionban: 'echo "no route to <ip>" >&2; exit 3' });
    const err = (await a.ban(event('192.0.2.1')).catch((e: unknown) => e)) as ActionError;
    expect(err).toBeInstanceOf(ActionError);
    expect(err).toMatchObject({ code: 'EACTION', jail: 'sshd', action: 'failing', operation: 'actionban' });
    expect(err.command).toBe(`echo "no route to "'192.0.2.1'"" >&2; exit 3`);
    expect(err.result).toMatchObject({ code: 3, timedOut: false, stderr: 'no route to 192.0.2.1\n' });
    expect(err.message).toBe(
      `sshd: action failing: actionban exited with 3 (stderr: no route to 192.0.2.1): ${err.command}`,
    );
  });

  it('rejects a template it cannot render safely without running anything', async () => {
    const a = action('unsafe', { actionban: 'cat <<EOF >> <log>\n<matches>\nEOF' });
    const err = (await a.ban(event('192.0.2.1')).catch((e: unknown) => e)) as ActionError;
    expect(err).toMatchObject({ operation: 'actionban', command: 'cat <<EOF >> <log>\n<matches>\nEOF' });
    expect(err.cause).toBeInstanceOf(TemplateError);
    expect(existsSync(log)).toBe(false);
  });

  it('kills the whole process group when a command outlives the timeout', async () => {
    const pidfile = join(dir, 'pid');
    const a = action('hang', { actionban: `sleep 30 & echo $! > ${pidfile}; wait` }, { timeout: '0.3' });
    const started = Date.now();
    const err = (await a.ban(event('192.0.2.1')).catch((e: unknown) => e)) as ActionError;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.result?.timedOut).toBe(true);
    expect(err.message).toMatch(/^sshd: action hang: actionban timed out: sleep 30/);
    const pid = Number(readFileSync(pidfile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('at stop, flushes once when actionflush is defined', async () => {
    const a = action('flushing', {
      actionstart: append('start'),
      actionban: append('ban <ip>'),
      actionunban: append('unban <ip>'),
      actionflush: append('flush'),
      actionstop: append('stop'),
    });
    await a.start();
    await a.stop(); // nothing banned: nothing to flush
    await a.start();
    await a.ban(event('192.0.2.1'));
    await a.ban(event('2001:db8::1'));
    await a.stop();
    expect(lines()).toEqual(['start', 'stop', 'start', 'ban 192.0.2.1', 'ban 2001:db8::1', 'flush', 'stop']);
  });

  it('at stop, without actionflush, unbans each address still banned', async () => {
    const a = action('each', { actionban: append('ban <ip>'), actionunban: append('unban <ip>') });
    await a.start(); // no actionstart: a no-op that still counts as started
    await a.ban(event('192.0.2.1'));
    await a.ban(event('192.0.2.2'));
    await a.unban(event('192.0.2.1'));
    await a.stop();
    await a.stop();
    expect(lines()).toEqual(['ban 192.0.2.1', 'ban 192.0.2.2', 'unban 192.0.2.1', 'unban 192.0.2.2']);
  });

  it('tries every stop step and reports all failures', async () => {
    const a = action('stopfail', { actionban: 'true', actionunban: 'exit 1', actionstop: 'exit 2' });
    await a.start();
    await a.ban(event('192.0.2.1'));
    const err = await a.stop().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors.map((e: ActionError) => e.operation)).toEqual([
      'actionunban',
      'actionstop',
    ]);
  });

  it('exposes norestored from the file', () => {
    expect(action('plain', { actionban: 'true' }).norestored).toBe(false);
    expect(action('quiet', { actionban: 'true', norestored: '1' }).norestored).toBe(true);
  });
});
