// Small numeric helpers for the table.

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile of the finite values; NaN when there are none. */
export function percentile(values, p) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `1234.5` → `1,235`; seconds and milliseconds get sensible decimals. */
export function num(n, digits = 0) {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const secs = (ms) => `${num(ms / 1000, ms < 10_000 ? 2 : 1)} s`;
export const msec = (ms) => `${num(ms, ms < 10 ? 2 : ms < 100 ? 1 : 0)} ms`;
export const mib = (kib) => `${num(kib / 1024)} MiB`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `once` up to `runs` times and returns every time (ms). A run longer than `enoughMs` (10x
 * the target, say) ends the series: the verdict is clear, and more runs would only cost minutes.
 */
export async function repeat(runs, once, enoughMs = Number.POSITIVE_INFINITY) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const took = await once(r);
    times.push(took);
    if (!(took <= enoughMs)) break;
  }
  return times;
}
