// Ban latency: every probe address first gets maxretry - 1 failures (all written up front), then,
// one probe at a time, the maxretry-th line is appended and timed until the element shows up in
// a netlink subscription (nft-watch.py events). Probes are `gapMs` apart so each one finds the
// daemon idle, as a real attacker's line usually does. The first probe is a warm-up.

import { appendFileSync } from 'node:fs';
import { failLine, failures } from '../lib/lines.mjs';
import { freshLog, withDaemon } from '../lib/session.mjs';
import { percentile, sleep } from '../lib/stats.mjs';
import { ms, now, watchElements } from '../lib/watch.mjs';

export async function banLatency(ns, tool, { probes, gapMs = 75, primeMs = 2000 }) {
  const addresses = Array.from({ length: probes + 1 }, (_, i) => `172.16.${i >> 8}.${i & 255}`);
  const log = freshLog();
  const set = tool.set('sshd').set;
  const jails = [{ name: 'sshd', logpath: log.path }];
  const latencies = await withDaemon(ns, tool, { jails }, async () => {
    const watch = await watchElements(ns);
    try {
      appendFileSync(log.path, failures(addresses, 2));
      await sleep(primeMs);
      const out = [];
      for (const [i, address] of addresses.entries()) {
        const line = Buffer.from(failLine(address, Date.now(), i));
        appendFileSync(log.path, line);
        const start = now();
        const at = await watch.seen(set, address, 5000);
        if (i > 0) out.push(at === undefined ? Number.NaN : ms(start, at));
        await sleep(gapMs);
      }
      return out;
    } finally {
      watch.close();
    }
  });
  log.remove();
  return {
    probes,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    missed: latencies.filter((l) => !Number.isFinite(l)).length,
  };
}
