// Many jails on one log: `lines` lines of the seeded auth.log mix (stamped inside findtime),
// then a sentinel's three failures, appended in one write to the log that every jail follows;
// timed until the sentinel is in the set of every jail that bans it. Run with 1 jail (sshd) and
// with 50: the ratio of the two line rates is the cost of sharing one log among many jails.
// The 50 are sshd and 49 other filters (syslogFilters), as a server's jails on one syslog file
// are: each reads every line, and the sshd jail bans. Fifty sshd jails, each banning every
// attacker of the log in a set of its own, are measured too: 50 times the bans, whatever the reading.

import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from '../lib/banhammer.mjs';
import { failures } from '../lib/lines.mjs';
import { freshLog, withDaemon } from '../lib/session.mjs';
import { median, repeat } from '../lib/stats.mjs';
import { ms, now, watchElements } from '../lib/watch.mjs';

const GEN = fileURLToPath(new URL('../gen-authlog.mjs', import.meta.url));
const STOCK = '/etc/fail2ban';

/**
 * `count` of fail2ban's stock filters (installed by the bench), in name order, for jails sharing a
 * syslog file with sshd: those that read dates as syslog writes them (no datepattern of their
 * own, or {^LN-BEG}), as banhammer loads them (its own filter.d first). Not sshd, not recidive
 * (which reads banhammer's log), not the -common includes.
 */
export async function syslogFilters(count) {
  const { loadFilter } = await import(join(REPO, 'dist', 'config', 'filter-file.js'));
  const names = readdirSync(join(STOCK, 'filter.d'))
    .filter((f) => f.endsWith('.conf') && !f.endsWith('-common.conf'))
    .map((f) => f.slice(0, -'.conf'.length))
    .filter((n) => !['common', 'sshd', 'recidive'].includes(n))
    .sort();
  const chosen = names.filter((name) => {
    const loaded = loadFilter(STOCK, name, {});
    const dp = 'filter' in loaded ? loaded.filter.datepattern : 'error';
    return dp === undefined || dp === '' || dp === '{^LN-BEG}';
  });
  if (chosen.length < count) throw new Error(`only ${chosen.length} stock filters read syslog dates`);
  return chosen.slice(0, count);
}
const SENTINEL = '192.0.2.97';
const WARM = '192.0.2.96';

export async function manyJails(ns, tool, { jails: count, filters, lines, runs, enoughMs, timeoutS }) {
  const log = freshLog();
  const source = join(log.dir, 'source.log');
  const step = 10;
  execFileSync(process.execPath, [
    GEN,
    String(lines),
    source,
    '42',
    String(Date.now() - lines * step),
    String(step),
  ]);
  const mix = readFileSync(source, 'utf8');
  // Bytes made beforehand: encoding the string at the append took 6 to 18 ms for 50,000 lines (5 MB).
  const bytes = Buffer.from(mix + failures([SENTINEL], 3));
  // The same lines from other addresses first, untimed, so the timed lines meet a daemon whose
  // code has run (a fresh one spends most of 10,000 lines compiling its own JavaScript), with
  // none of their attackers banned yet.
  const warm = mix.replaceAll('198.51.', '100.64.') + failures([WARM], 3);
  // With `filters`: jail 0 is sshd, the others each run the next filter of the list (none of
  // which matches the sentinel); without, every jail runs sshd.
  const jails = Array.from({ length: count }, (_, i) => ({
    name: `j${i}`,
    logpath: log.path,
    filter: filters && i > 0 ? filters[i - 1] : 'sshd',
  }));
  const banning = filters ? jails.slice(0, 1) : jails;
  const times = await repeat(
    runs,
    () =>
      withDaemon(ns, tool, { jails }, async () => {
        const watch = await watchElements(ns);
        try {
          appendFileSync(log.path, warm);
          const warmed = await Promise.all(
            banning.map((j) => watch.seen(tool.set(j.name).set, WARM, timeoutS * 1000)),
          );
          if (warmed.some((at) => at === undefined))
            throw new Error('the warm-up ban never reached the kernel');
          appendFileSync(log.path, bytes);
          const start = now();
          const seen = await Promise.all(
            banning.map((j) => watch.seen(tool.set(j.name).set, SENTINEL, timeoutS * 1000)),
          );
          // The last jail to ban the sentinel is the one that finished.
          return Math.max(...seen.map((at) => (at === undefined ? Number.NaN : ms(start, at))));
        } finally {
          watch.close();
        }
      }),
    enoughMs,
  );
  log.remove();
  const took = median(times);
  return { jails: count, lines, ms: took, linesPerS: lines / (took / 1000), runs: times };
}
