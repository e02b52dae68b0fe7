// Restore on start: N active bans in the daemon's database (written by the tool's own schema,
// see seedBans) → all N back in the kernel set. Timed from the daemon's spawn until the set
// holds N. For banhammer, one more (untimed) run with bench/loop-stall.mjs preloaded reports
// the longest event-loop stall between spawn and the last element in the set.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ipv4 } from '../lib/lines.mjs';
import { flushRuleset, removeDir } from '../lib/sandbox.mjs';
import { freshLog, withDaemon } from '../lib/session.mjs';
import { median, repeat } from '../lib/stats.mjs';
import { ms, waitForSet } from '../lib/watch.mjs';

const LOOP_STALL = fileURLToPath(new URL('../loop-stall.mjs', import.meta.url));

export async function restore(ns, tool, { n, runs, enoughMs, timeoutS, stall = false }) {
  const addresses = Array.from({ length: n }, (_, i) => ipv4(10, i + 1));
  // fail2ban restores in address order, banhammer in ban order: wait for the later of both.
  const last = [...addresses].sort().at(-1);
  const db = await tool.seedBans(ns, 'sshd', addresses);
  const log = freshLog();
  const once = async (options = {}) => {
    flushRuleset(ns);
    const { done } = await waitForSet(ns, tool.set('sshd'), n, last, timeoutS);
    const jails = [{ name: 'sshd', logpath: log.path }];
    return withDaemon(
      ns,
      tool,
      { jails, db, ...options },
      async (daemon) => {
        const result = await done;
        return { daemon, startedAt: daemon.child.startedAt, at: result.at };
      },
      { ready: false },
    );
  };
  const times = await repeat(
    runs,
    async () => {
      const { startedAt, at } = await once();
      return at === undefined ? Number.NaN : ms(startedAt, at);
    },
    enoughMs,
  );
  let longestStall;
  if (stall) {
    const file = join(log.dir, 'stalls.json');
    const run = await once({ nodeArgs: ['--import', LOOP_STALL], env: { BENCH_LOOP_STALL_FILE: file } });
    longestStall = longest(JSON.parse(readFileSync(file, 'utf8')), run.startedAt, run.at);
  }
  log.remove();
  removeDir(join(db, '..'));
  return { n, ms: median(times), runs: times, longestStall };
}

/** The longest stall that overlaps [from, to], with where it began (ms after `from`). */
function longest(stalls, from, to) {
  let best = { ms: 0, atMs: Number.NaN, count50: 0 };
  for (const [startText, length] of stalls) {
    const start = BigInt(startText);
    const end = start + BigInt(Math.round(length * 1e6));
    if (end < from || (to !== undefined && start > to)) continue;
    if (length >= 50) best.count50++;
    if (length > best.ms) best = { ...best, ms: length, atMs: ms(from, start) };
  }
  return { ...best, totalMs: to === undefined ? Number.NaN : ms(from, to) };
}
