// Filter throughput, no daemon: each tool's stock sshd rules over the same seeded auth.log
// (gen-authlog.mjs, seed 42), wall time of the whole command, process start included:
// `banctl regex` (banhammer's filter.d/sshd.conf), `fail2ban-regex` (fail2ban's), and
// sshguard's `sshg-parser` reading the file on stdin. banctl regex reads a log this size in parts
// on one worker thread per CPU (at most 4); `jobs: 1` measures it on one thread too.

import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../lib/banhammer.mjs';
import { median, repeat } from '../lib/stats.mjs';
import { ms, now } from '../lib/watch.mjs';

const COMMANDS = {
  banhammer: (log, jobs) => [
    process.execPath,
    join(REPO, 'bin', 'banctl.js'),
    'regex',
    ...(jobs ? ['--jobs', String(jobs)] : []),
    '-c',
    REPO,
    log,
    'sshd',
  ],
  fail2ban: (log) => ['fail2ban-regex', log, '/etc/fail2ban/filter.d/sshd.conf'],
  sshguard: () => ['/usr/libexec/sshguard/sshg-parser'],
};

export async function filterThroughput(toolName, { log, lines, runs, enoughMs, jobs, warmUp = false }) {
  const [command, ...args] = COMMANDS[toolName](log, jobs);
  const once = () => {
    const input = toolName === 'sshguard' ? openSync(log, 'r') : 'ignore';
    const start = now();
    const result = spawnSync(command, args, {
      stdio: [input, 'ignore', 'pipe'],
      // Year-less syslog dates are read against 2026-11-28, as the seeded log expects.
      env: { ...process.env, TZ: 'UTC', BANCTL_NOW: String(Date.UTC(2026, 10, 28) / 1000) },
    });
    const took = ms(start, now());
    if (input !== 'ignore') closeSync(input);
    if (result.status !== 0) throw new Error(`${command} exited ${result.status}: ${result.stderr}`);
    return took;
  };
  // An untimed first run where a run is short: a second or two, in which the first run's start-up
  // (the binary and its modules read from the page cache into a fresh process) varied by 10%.
  if (warmUp) once();
  const times = await repeat(runs, async () => once(), enoughMs);
  const took = median(times);
  return { lines, ms: took, linesPerS: lines / (took / 1000), runs: times, jobs };
}
