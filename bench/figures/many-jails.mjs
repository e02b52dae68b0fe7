// Many jails on one log: `lines` lines of the seeded auth.log mix (stamped inside findtime),
// then a sentinel's three failures, appended in one write to the log that every jail follows;
// timed until the sentinel is in every jail's set. Run with 1 jail and with 50: the ratio of
// the two line rates is the cost of sharing one log among many jails.

import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failures } from '../lib/lines.mjs';
import { freshLog, withDaemon } from '../lib/session.mjs';
import { median, repeat } from '../lib/stats.mjs';
import { ms, now, watchElements } from '../lib/watch.mjs';

const GEN = fileURLToPath(new URL('../gen-authlog.mjs', import.meta.url));
const SENTINEL = '192.0.2.97';

export async function manyJails(ns, tool, { jails: count, lines, runs, enoughMs, timeoutS }) {
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
  const text = readFileSync(source, 'utf8') + failures([SENTINEL], 3);
  const jails = Array.from({ length: count }, (_, i) => ({ name: `sshd${i}`, logpath: log.path }));
  const times = await repeat(
    runs,
    () =>
      withDaemon(ns, tool, { jails }, async () => {
        const watch = await watchElements(ns);
        try {
          const start = now();
          appendFileSync(log.path, text);
          const seen = await Promise.all(
            jails.map((j) => watch.seen(tool.set(j.name).set, SENTINEL, timeoutS * 1000)),
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
