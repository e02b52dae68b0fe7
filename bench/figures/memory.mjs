// Memory and idle CPU, read from /proc/PID of the daemon's process (all its threads).
// idle: `jails` jails, each on its own empty log, `settleMs` after start: resident memory; then,
// from `quietAfterMs` after start, the CPU time used over `idleMs` while no log changes. The CPU
// window starts late because V8 runs one memory-reducing GC some seconds after a process starts
// (banhammerd: ~8 s; 40-50 ms of CPU, none with --no-memory-reducer): a one-off, not polling.
// distinct: one jail; `n` failures from `n` distinct addresses (one each, below maxretry)
// appended in chunks, then a sentinel that crosses maxretry; once the sentinel is in the set,
// every failure has been counted: resident memory now, and its peak.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failures, ipv4 } from '../lib/lines.mjs';
import { cpuMs, memory } from '../lib/proc.mjs';
import { freshLog, withDaemon } from '../lib/session.mjs';
import { sleep } from '../lib/stats.mjs';
import { ms, now, waitForSet } from '../lib/watch.mjs';

const SENTINEL = '192.0.2.98';
const CHUNK = 100_000;

export async function idle(
  ns,
  tool,
  { jails: count, settleMs = 3000, quietAfterMs = 20_000, idleMs = 10_000 },
) {
  const log = freshLog();
  const jails = Array.from({ length: count }, (_, i) => ({
    name: `sshd${i}`,
    logpath: join(log.dir, `auth${i}.log`),
  }));
  for (const j of jails) writeFileSync(j.logpath, '');
  const result = await withDaemon(ns, tool, { jails }, async (daemon) => {
    await sleep(settleMs);
    const { rss } = memory(daemon.pid);
    await sleep(quietAfterMs - settleMs);
    const before = cpuMs(daemon.pid);
    await sleep(idleMs);
    return { jails: count, rssKiB: rss, cpuMs: cpuMs(daemon.pid) - before, idleMs };
  });
  log.remove();
  return result;
}

export async function distinct(ns, tool, { n, timeoutS }) {
  const log = freshLog();
  const jails = [{ name: 'sshd', logpath: log.path }];
  const result = await withDaemon(ns, tool, { jails }, async (daemon) => {
    const { done } = await waitForSet(ns, tool.set('sshd'), 1, SENTINEL, timeoutS);
    const start = now();
    for (let i = 0; i < n; i += CHUNK) {
      const chunk = Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => ipv4(10, i + j + 1));
      appendFileSync(log.path, failures(chunk, 1));
    }
    appendFileSync(log.path, failures([SENTINEL], 3));
    const found = await done;
    const { rss, hwm } = memory(daemon.pid);
    return { n, rssKiB: rss, peakKiB: hwm, ms: found.timeout ? Number.NaN : ms(start, found.at) };
  });
  log.remove();
  return result;
}
