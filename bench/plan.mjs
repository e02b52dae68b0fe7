// What `npm run bench` measures, at which sizes, against which banhammer target: one step per
// figure; each step measures every tool it applies to and adds its row(s) to the table.
// fail2ban's sizes are scaled down where the full size would take many minutes (one nft process
// per ban, about 10 ms each); every cell prints the size it measured.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { banLatency } from './figures/ban-latency.mjs';
import { banThroughput } from './figures/ban-throughput.mjs';
import { filterThroughput } from './figures/filter.mjs';
import { manyJails, syslogFilters } from './figures/many-jails.mjs';
import { distinct, idle } from './figures/memory.mjs';
import { restore } from './figures/restore.mjs';
import { startup } from './figures/startup.mjs';
import { banhammer, REPO } from './lib/banhammer.mjs';
import { fail2ban } from './lib/fail2ban.mjs';
import { cells } from './lib/report.mjs';
import { tempDir } from './lib/sandbox.mjs';
import { sshguard } from './lib/sshguard.mjs';
import { num } from './lib/stats.mjs';

export const TOOLS = { banhammer, fail2ban, sshguard };
const K_THROUGHPUT = { banhammer: 100_000, fail2ban: 1_000, sshguard: 1_000 };
const N_RESTORE = { banhammer: 100_000, fail2ban: 500 };
const LINES = 1_000_000;
const STARTUP_LINES = { banhammer: { old: LINES, inside: LINES }, fail2ban: { old: LINES, inside: 20_000 } };
const N_DISTINCT = { banhammer: 1_000_000, fail2ban: 100_000 };
/**
 * Long enough that the rate is a throughput: a burst of 50,000 lines was read in ~80 ms by one
 * jail, and a burst's first 50,000 lines took longer than the next 50,000, by more with 50 jails
 * (1 jail: 81 ms for 50,000 lines, 124 for 100,000, 224 for 200,000; 50 jails: 141, 203, 320).
 */
const MANY_JAILS_LINES = 200_000;
const PROBES = 200;
// Medians of 3 runs; banhammer's series stops early after a run over 10x its target (enoughMs).
const RUNS = 3;
const FILTER_RUNS = 5;
/**
 * The many-jails figures time ~0.2-0.4 s each, and single runs spread ±10-20% on this 2-CPU VM:
 * their medians are of five, so the ratio of two medians does not turn on one run.
 */
const JAILS_RUNS = 5;

/** Steps by name, in run order; each gets the namespace and { measure, row } from run.mjs. */
export const STEPS = {
  async filter(_ns, { measure, row }) {
    const log = join(tempDir('filter'), 'auth.log');
    execFileSync(process.execPath, [join(REPO, 'bench', 'gen-authlog.mjs'), String(LINES), log, '42']);
    // The kernel writing the fresh 100 MB back to disk would otherwise run during the first tool's runs.
    execFileSync('sync');
    // The short runs (a few seconds at most) get an untimed run first and five timed ones.
    const run = (tool, runs, jobs) =>
      measure(jobs ? `filter, --jobs ${jobs}` : 'filter', tool, () =>
        filterThroughput(tool, { log, lines: LINES, runs, enoughMs: 10_000, jobs, warmUp: runs > 1 }),
      );
    const r = {
      banhammer: await run('banhammer', FILTER_RUNS),
      fail2ban: await run('fail2ban', 1),
      sshguard: await run('sshguard', FILTER_RUNS),
    };
    const one = { banhammer: await run('banhammer', FILTER_RUNS, 1) };
    row(
      'filter throughput: stock sshd rules over the seeded 1M-line auth.log',
      r,
      (x) =>
        x === r.banhammer && r.fail2ban && !r.fail2ban.error
          ? `${cells.filter(x)}; ${(x.linesPerS / r.fail2ban.linesPerS).toFixed(1)}× fail2ban`
          : cells.filter(x),
      '≥ 1,000,000 lines/s (issue 3: ≥ 25× fail2ban)',
      (b) => b.linesPerS >= 1e6,
    );
    row('the same, banctl regex --jobs 1 (one thread)', one, cells.filter, '—');
  },
  async throughput(ns, { measure, row }) {
    const r = {};
    for (const name of ['fail2ban', 'sshguard', 'banhammer']) {
      const k = K_THROUGHPUT[name];
      r[name] = await measure('throughput', name, () =>
        banThroughput(ns, TOOLS[name], {
          k,
          runs: RUNS,
          enoughMs: name === 'banhammer' ? 15_000 : Infinity,
          timeoutS: 180,
        }),
      );
    }
    row(
      'ban throughput: K addresses × 3 failures in one append → all K in the set',
      r,
      cells.throughput,
      '100,000 in ≤ 1.5 s',
      (b) => b.ms <= 1500,
    );
    // The same storm from addresses all over the address space, as a botnet's: the state file's
    // address index then changes all over in every commit, not at one end.
    const spread = await measure('throughput-spread', 'banhammer', () =>
      banThroughput(ns, banhammer, {
        k: K_THROUGHPUT.banhammer,
        runs: RUNS,
        enoughMs: 15_000,
        timeoutS: 180,
        spread: true,
      }),
    );
    row(
      'ban throughput, the K addresses spread over 100 /8 networks (not one /8 in order)',
      { banhammer: spread },
      cells.throughput,
      '—',
    );
  },
  async latency(ns, { measure, row }) {
    const r = {};
    for (const name of ['fail2ban', 'sshguard', 'banhammer']) {
      r[name] = await measure('latency', name, () => banLatency(ns, TOOLS[name], { probes: PROBES }));
    }
    row(
      'ban latency p50 / p99: maxretry-th line appended → element in the set',
      r,
      cells.latency,
      '≤ 2 / ≤ 10 ms',
      (b) => b.p50 <= 2 && b.p99 <= 10 && !b.missed,
    );
  },
  async restore(ns, { measure, row }) {
    const r = {};
    for (const name of ['fail2ban', 'banhammer']) {
      r[name] = await measure('restore', name, () =>
        restore(ns, TOOLS[name], {
          n: N_RESTORE[name],
          runs: RUNS,
          enoughMs: name === 'banhammer' ? 20_000 : Infinity,
          timeoutS: 120,
          stall: name === 'banhammer',
        }),
      );
    }
    row(
      'restore on start: N active bans in the database → all N in the set',
      r,
      cells.restore,
      '100,000 in ≤ 2 s',
      (b) => b.ms <= 2000,
    );
    const stall = r.banhammer && !r.banhammer.error ? { banhammer: r.banhammer.longestStall } : {};
    row(
      'event loop: longest stall from spawn to the last restored ban (100,000)',
      stall,
      cells.stall,
      'printed',
      undefined,
    );
  },
  async startup(ns, { measure, row }) {
    for (const [variant, label, target, limit] of [
      ['old', 'start-up, 1M-line log present, all of it older than findtime → caught up', '≤ 0.5 s', 500],
      ['inside', 'start-up, 1M-line log present, all of it inside findtime → caught up', '≤ 2 s', 2000],
    ]) {
      const r = {};
      for (const name of ['fail2ban', 'banhammer']) {
        const lines = STARTUP_LINES[name][variant];
        r[name] = await measure(`startup-${variant}`, name, () =>
          startup(ns, TOOLS[name], {
            lines,
            variant,
            runs: RUNS,
            enoughMs: name === 'banhammer' ? 10 * limit : 30_000,
            timeoutS: 120,
          }),
        );
      }
      row(label, r, cells.startup, target, (b) => b.ms <= limit);
    }
  },
  async idle(ns, { measure, row }) {
    const r = {};
    for (const name of ['fail2ban', 'banhammer'])
      r[name] = await measure('idle', name, () => idle(ns, TOOLS[name], { jails: 10 }));
    row('memory, idle with 10 jails (RSS)', r, cells.idle, '≤ 80 MiB', (b) => b.rssKiB <= 80 * 1024);
    row(
      'CPU while no log changes (inotify), 10 jails, from 20 s after start',
      r,
      cells.cpu,
      '0',
      (b) => b.cpuMs === 0,
    );
  },
  async distinct(ns, { measure, row }) {
    const r = {};
    for (const name of ['fail2ban', 'banhammer']) {
      r[name] = await measure('distinct', name, () =>
        distinct(ns, TOOLS[name], { n: N_DISTINCT[name], timeoutS: 300 }),
      );
    }
    row(
      'memory with distinct failing addresses counted (RSS)',
      r,
      cells.distinct,
      '1M in ≤ 300 MiB',
      (b) => b.n === 1e6 && b.rssKiB <= 300 * 1024,
    );
  },
  async jails(ns, { measure, row }) {
    const run = (label, count, filters) =>
      measure(`jails-${label}`, 'banhammer', () =>
        manyJails(ns, banhammer, {
          jails: count,
          filters,
          lines: MANY_JAILS_LINES,
          runs: JAILS_RUNS,
          enoughMs: 30_000,
          timeoutS: 300,
        }),
      );
    const one = await run('1', 1);
    const others = await syslogFilters(49);
    const fifty = await run('50', 50, others);
    const same = await run('50-sshd', 50);
    const ratio = (many) =>
      one && many && !one.error && !many.error
        ? { one, many, ratio: many.linesPerS / one.linesPerS }
        : (many ?? one);
    const lines = MANY_JAILS_LINES.toLocaleString('en-US');
    const cell = (x) =>
      `${num(100 * x.ratio, 1)}% (${lines} lines, medians of ${x.many.runs.length}: 1 jail ${num(x.one.linesPerS)} lines/s, 50 jails ${num(x.many.linesPerS)} lines/s)`;
    row(
      "50 jails on one log (sshd and 49 of fail2ban's stock filters for syslog-dated lines) vs 1 jail: line throughput ratio",
      { banhammer: ratio(fifty) },
      cell,
      '≥ 50%',
      (b) => b.ratio >= 0.5,
    );
    row(
      '50 sshd jails on one log, each banning every attacker in its own set, vs 1 jail',
      { banhammer: ratio(same) },
      cell,
      '—',
    );
  },
};
