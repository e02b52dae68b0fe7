import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../../src/actions/run-command.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-run-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// A killed orphan stays a zombie until init reaps it; that is dead enough.
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('runCommand', () => {
  it('returns the exit status without judging it (ignorecommand reads 0 and 1 as answers)', async () => {
    for (const code of [0, 1, 2]) {
      expect(await runCommand(`exit ${code}`, { timeoutMs: 5000 })).toMatchObject({ code, timedOut: false });
    }
    expect(await runCommand('kill -9 $$', { timeoutMs: 5000 })).toMatchObject({
      code: null,
      signal: 'SIGKILL',
    });
  });

  it('captures stdout and stderr, keeping at most the cap', async () => {
    const r = await runCommand('printf "out"; printf "err" >&2', { timeoutMs: 5000 });
    expect(r).toMatchObject({ stdout: 'out', stderr: 'err' });
    const big = await runCommand('head -c 100000 /dev/zero | tr "\\0" x', {
      timeoutMs: 5000,
      maxOutputBytes: 10,
    });
    expect(big.stdout).toBe('xxxxxxxxxx… [99990 more bytes]');
  });

  it('does not wait for a background job that keeps the pipes open', async () => {
    const started = Date.now();
    const r = await runCommand(`sleep 30 & echo $! > ${dir}/pid; echo done`, { timeoutMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(15_000); // far from the job's 30 s
    expect(r).toMatchObject({ code: 0, stdout: 'done\n', timedOut: false });
    // Left running: only a timeout ends what a command started.
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    expect(alive(pid)).toBe(true);
    process.kill(pid);
  });

  it('on timeout, SIGKILLs the group when SIGTERM is ignored', async () => {
    const started = Date.now();
    const r = await runCommand(`trap '' TERM; sleep 30 & echo $! > ${dir}/pid; wait`, {
      timeoutMs: 200,
      killGraceMs: 200,
    });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000); // far from sleep's 30 s
    // SIGKILL is sent, not awaited: on a busy machine the child takes a moment to die.
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 2000, interval: 20 });
  });

  it('runs through /bin/sh with the daemon`s environment', async () => {
    process.env.BANHAMMER_TEST_VAR = 'seen';
    try {
      const r = await runCommand('printf %s "$BANHAMMER_TEST_VAR"', { timeoutMs: 5000 });
      expect(r.stdout).toBe('seen');
    } finally {
      delete process.env.BANHAMMER_TEST_VAR;
    }
  });
});
