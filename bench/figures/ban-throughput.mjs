// Ban throughput: K distinct addresses, three failures each (maxretry = 3), appended to the log
// in one write; timed from the write's return (the lines are in the log) until the kernel set
// holds all K (polled over netlink by nft-watch.py, which asks for the last address, then counts
// the set). `spread`: the addresses are spreadIpv4()'s, over many networks, not one /8's in a row.

import { appendFileSync } from 'node:fs';
import { failures, ipv4, spreadIpv4 } from '../lib/lines.mjs';
import { freshLog, warmUp, withDaemon } from '../lib/session.mjs';
import { median, repeat } from '../lib/stats.mjs';
import { ms, now, waitForSet } from '../lib/watch.mjs';

export async function banThroughput(ns, tool, { k, runs, enoughMs, timeoutS, spread = false }) {
  const addresses = Array.from({ length: k }, (_, i) => (spread ? spreadIpv4(i + 1) : ipv4(10, i + 1)));
  // Encoded once, untimed: turning the 29 MB string into bytes at the append took 26-85 ms.
  const bytes = Buffer.from(failures(addresses, 3));
  const times = await repeat(
    runs,
    async () => {
      const log = freshLog();
      const jails = [{ name: 'sshd', logpath: log.path }];
      const took = await withDaemon(ns, tool, { jails }, async () => {
        await warmUp(ns, tool, 'sshd', log.path);
        const { done } = await waitForSet(ns, tool.set('sshd'), k + 1, addresses.at(-1), timeoutS);
        appendFileSync(log.path, bytes);
        const start = now();
        const result = await done;
        return result.timeout ? Number.NaN : ms(start, result.at);
      });
      log.remove();
      return took;
    },
    enoughMs,
  );
  return { k, ms: median(times), runs: times };
}
