// Start-up with a big log present: `lines` lines of the seeded auth.log mix (gen-authlog.mjs),
// then three failures of a sentinel address stamped now. The daemon reads the file from its
// start, as fail2ban does by default (banhammer: `logpath = FILE head`; its default starts at
// the end, where there is nothing to catch up), and has caught up when the sentinel is in the
// set. `old`: the log ends a day ago and findtime = 10m; `inside`: every line is inside
// findtime = 1w, so its attackers are counted and banned on the way.

import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { failures } from '../lib/lines.mjs';
import { flushRuleset } from '../lib/sandbox.mjs';
import { freshLog, withDaemon } from '../lib/session.mjs';
import { median, repeat } from '../lib/stats.mjs';
import { ms, waitForSet } from '../lib/watch.mjs';

const GEN = fileURLToPath(new URL('../gen-authlog.mjs', import.meta.url));
const SENTINEL = '192.0.2.99';
const DAY = 86_400_000;

export async function startup(ns, tool, { lines, variant, runs, enoughMs, timeoutS }) {
  const log = freshLog();
  const step = variant === 'old' ? 500 : Math.min(500, Math.floor((5 * DAY) / lines));
  const end = variant === 'old' ? Date.now() - DAY : Date.now() - 60_000;
  execFileSync(process.execPath, [
    GEN,
    String(lines),
    log.path,
    '42',
    String(end - lines * step),
    String(step),
  ]);
  appendFileSync(log.path, failures([SENTINEL], 3));
  // Written back to disk now, not during the runs.
  execFileSync('sync');
  const jails = [{ name: 'sshd', logpath: log.path, head: true, findtime: variant === 'old' ? '10m' : '1w' }];
  const times = await repeat(
    runs,
    async () => {
      flushRuleset(ns);
      const { done } = await waitForSet(ns, tool.set('sshd'), 1, SENTINEL, timeoutS);
      const took = await withDaemon(
        ns,
        tool,
        { jails },
        async (daemon) => {
          const result = await done;
          return result.timeout ? Number.NaN : ms(daemon.child.startedAt, result.at);
        },
        { ready: false },
      );
      return took;
    },
    enoughMs,
  );
  log.remove();
  return { lines, ms: median(times), runs: times };
}
