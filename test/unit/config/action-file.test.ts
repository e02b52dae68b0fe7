import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActionFileConfig, loadActionFile } from '../../../src/config/action-file.ts';
import type { ConfigProblem } from '../../../src/core/errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-action-'));
  mkdirSync(join(dir, 'action.d'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => writeFileSync(join(dir, 'action.d', name), text);

function load(name: string, args: Record<string, string> = {}, jail = 'sshd'): ActionFileConfig {
  const r = loadActionFile(dir, { name, args }, { jail });
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.action;
}

function problems(name: string, args: Record<string, string> = {}): ConfigProblem[] {
  const r = loadActionFile(dir, { name, args }, { jail: 'sshd', origin: { file: 'jail.local', line: 9 } });
  if ('action' in r) throw new Error('expected problems');
  return r.problems;
}

describe('loadActionFile', () => {
  it('reads the commands and the options, with call arguments over [Init] over [Definition]', () => {
    write(
      'notify.conf',
      [
        '[DEFAULT]',
        'd = from default',
        '[Definition]',
        'actionstart = touch <file>',
        'actionban = printf "%%s\\n" "<ip> <failures> <name>" >> <file>',
        'actionunban = ',
        'shared = definition',
        'file = /tmp/definition',
        '[Init]',
        'file = /tmp/init',
        'shared = init',
        'level = low',
      ].join('\n'),
    );
    const action = load('notify', { level: 'high', file: '/tmp/arg' });
    expect(action.name).toBe('notify');
    expect(action.file).toBe(join(dir, 'action.d', 'notify.conf'));
    expect(action.definition).toEqual({
      actionstart: 'touch <file>',
      actionstop: undefined,
      actioncheck: undefined,
      actionban: 'printf "%s\\n" "<ip> <failures> <name>" >> <file>',
      actionunban: undefined,
      actionflush: undefined,
      actionrepair: undefined,
    });
    expect(action.values).toMatchObject({
      file: '/tmp/arg',
      level: 'high',
      shared: 'init',
      d: 'from default',
      name: 'sshd',
      actname: 'notify',
    });
    expect(action.timeoutMs).toBe(60_000);
    expect(action.norestored).toBe(false);
  });

  it('interpolates %(x)s from the section, then [Init] and the arguments, then [DEFAULT]', () => {
    write(
      'a.conf',
      '[DEFAULT]\nroot = /var\nport = 1\n[Definition]\nactionban = %(tool)s %(port)s %(root)s/%(sub)s\n' +
        'tool = fw --chain=%(chain)s\n[Init]\nchain = INPUT\nport = 22\nsub = lib/%(chain)s\n',
    );
    expect(load('a').definition.actionban).toBe('fw --chain=INPUT 22 /var/lib/INPUT');
    expect(load('a', { chain: 'F2B', port: '2222' }).definition.actionban).toBe(
      'fw --chain=F2B 2222 /var/lib/F2B',
    );
  });

  it('lets an argument replace a [Definition] command too, as fail2ban`s vars do', () => {
    write('a.conf', '[Definition]\nactionban = echo file\n');
    expect(load('a', { actionban: 'echo arg' }).definition.actionban).toBe('echo arg');
  });

  it('gives <name> the jail unless the call sets it, and a unique actname', () => {
    write('a.conf', '[Definition]\nactionban = x\n[Init]\nname = default\n');
    expect(load('a', {}, 'nginx').values).toMatchObject({ name: 'nginx', actname: 'a' });
    expect(load('a', { name: 'nginx-2' }, 'nginx').values).toMatchObject({ actname: 'a-2' });
    expect(load('a', { name: 'other' }, 'nginx').values).toMatchObject({ actname: 'a-other' });
  });

  it('follows [INCLUDES] and the .local, and names other sections sec/key', () => {
    write(
      'common.conf',
      '[Definition]\nactionstart = echo start <name>\n[ipt_oneport]\nrule = -p <protocol>\n',
    );
    write('mine.conf', '[INCLUDES]\nbefore = common.conf\n[Definition]\nactionban = echo ban\n');
    write('mine.local', '[Definition]\nactionban = echo local ban\n');
    const action = load('mine');
    expect(action.definition.actionstart).toBe('echo start <name>');
    expect(action.definition.actionban).toBe('echo local ban');
    expect(action.values['ipt_oneport/rule']).toBe('-p <protocol>');
  });

  it('keeps conditional sections as key?family=…', () => {
    write(
      'a.conf',
      '[Definition]\nactionban = x <blocktype>\n[Init]\nblocktype = REJECT\n[Init?family=inet6]\nblocktype = DROP\n',
    );
    expect(load('a').values).toMatchObject({ blocktype: 'REJECT', 'blocktype?family=inet6': 'DROP' });
  });

  it('reads timeout as a duration and norestored as fail2ban`s booleans', () => {
    write('a.conf', '[Definition]\nactionban = x\nnorestored = true\n[Init]\ntimeout = 2m\n');
    expect(load('a')).toMatchObject({ timeoutMs: 120_000, norestored: true });
    write('b.conf', '[Definition]\nactionban = x\nnorestored = 1\n');
    expect(load('b').norestored).toBe(true);
    expect(load('b', { norestored: 'no', timeout: '5' })).toMatchObject({
      norestored: false,
      timeoutMs: 5000,
    });
  });

  it('names the file it looked for when the action does not exist', () => {
    expect(problems('nosuch')).toEqual([
      {
        file: join(dir, 'action.d', 'nosuch.conf'),
        message: 'action "nosuch" not found (no nosuch.conf or .local)',
      },
    ]);
    expect(problems('custom.py')[0]!.message).toMatch(/Python actions are not supported/);
  });

  it('reports malformed values with file, line and option, all at once', () => {
    write(
      'bad.conf',
      '[Definition]\nactionstart = ok\nactionban = echo %(nosuch)s\nactionunban = echo %(x\n[Init]\ntimeout = soon\n',
    );
    const file = join(dir, 'action.d', 'bad.conf');
    expect(problems('bad')).toEqual([
      { file, line: 3, option: 'actionban', message: expect.stringContaining('"nosuch"') },
      { file, line: 4, option: 'actionunban', message: expect.stringContaining('%(name)s') },
      { file, line: 6, option: 'timeout', message: 'expected a positive duration (e.g. 60, 2m), got "soon"' },
    ]);
  });

  it('points a bad argument at the jail`s action line, and wants a [Definition]', () => {
    write('a.conf', '[Definition]\nactionban = x\n');
    expect(problems('a', { timeout: '-3' })).toEqual([
      { file: 'jail.local', line: 9, option: 'timeout', message: expect.stringContaining('"-3"') },
    ]);
    expect(problems('a', { msg: '100%' })).toEqual([
      { file: 'jail.local', line: 9, option: 'msg', message: expect.stringContaining('"%%"') },
    ]);
    write('b.conf', '[Init]\nx = 1\n');
    expect(problems('b')).toEqual([
      { file: join(dir, 'action.d', 'b.conf'), message: 'action "b" has no [Definition] section' },
    ]);
  });
});
