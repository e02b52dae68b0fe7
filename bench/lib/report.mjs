// The one table `npm run bench` prints: a row per figure, a column per tool, banhammer's target
// and whether it was met. A cell says what was measured (K, N, lines) and over how many runs.

import { mib, msec, num, secs } from './stats.mjs';

export const TOOLS = ['fail2ban', 'sshguard', 'banhammer'];

/** "(median of 3)" or "(1 run)": how many runs a cell's figure is the median of. */
export function runs(times) {
  const failed = times.filter((t) => !Number.isFinite(t)).length;
  const note = failed ? `; ${failed} run(s) failed or timed out` : '';
  return times.length === 1 ? `(1 run${note})` : `(median of ${times.length - failed}${note})`;
}

export const cells = {
  throughput: (r) => `K=${num(r.k)}: ${secs(r.ms)}, ${num(r.k / (r.ms / 1000))} bans/s ${runs(r.runs)}`,
  latency: (r) =>
    `${msec(r.p50)} / ${msec(r.p99)} (${r.probes} probes${r.missed ? `, ${r.missed} missed` : ''})`,
  restore: (r) => `N=${num(r.n)}: ${secs(r.ms)}, ${num(r.n / (r.ms / 1000))} bans/s ${runs(r.runs)}`,
  startup: (r) =>
    `${secs(r.ms)} for ${num(r.lines)} lines, ${num(r.lines / (r.ms / 1000))} lines/s ${runs(r.runs)}`,
  filter: (r) => `${num(r.linesPerS)} lines/s (${num(r.lines)} lines in ${secs(r.ms)}) ${runs(r.runs)}`,
  idle: (r) => `${mib(r.rssKiB)} (${r.jails} jails)`,
  cpu: (r) => `${num(r.cpuMs, 3)} ms CPU in ${num(r.idleMs / 1000)} s`,
  distinct: (r) =>
    `${mib(r.rssKiB)}, peak ${mib(r.peakKiB)}, for ${num(r.n)} addresses (counted in ${secs(r.ms)})`,
  stall: (r) =>
    `${msec(r.ms)}, from +${secs(r.atMs)} after spawn (restore done at +${secs(r.totalMs)}); ${r.count50} stall(s) ≥ 50 ms`,
};

/** Renders rows `{ figure, tools: { name: text }, target, met }` as a Markdown table. */
export function table(rows, versions = {}) {
  const header = [
    'figure',
    ...TOOLS.map((t) => `${t} ${versions[t] ?? ''}`.trim()),
    'banhammer target',
    'met',
  ];
  const body = rows.map((r) => [
    r.figure,
    ...TOOLS.map((t) => r.tools[t] ?? '—'),
    r.target,
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const line = (cols) => `| ${cols.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

export const NOTES = `Notes:
- "(median of N)": the median of N runs; "(1 run)": banhammer's series stops after a run over 10x its
  target, where more runs cannot change the verdict (and fail2ban-regex gets one ~30 s run). The filter
  figure's short runs (banctl regex, sshg-parser) are five, after one untimed run.
- The many-jails figures time 200,000 lines appended after the same lines from other addresses, untimed,
  so the daemon's code has run once; their 49 other filters are fail2ban's stock filters, taken in
  name order, that read syslog-style dates (bench/figures/many-jails.mjs). Medians of five runs.
- Times run from the log append's return (the lines are in the log; or the daemon's spawn) to the
  element seen in the kernel set, read over netlink inside the bench's namespace
  (bench/lib/nft-watch.py), on one monotonic clock. The write itself is not timed: in this VM a
  write onto pages never used before took 16-32 ms for the storm's 29 MB (the many-jails figure
  appends 21 MB).
- fail2ban's K and N are scaled down (one nft process per ban); its start-up "inside findtime" reads
  20,000 lines, not 1M. Compare the rates (bans/s, lines/s) across columns.
- The event-loop stall is measured by bench/loop-stall.mjs, preloaded into banhammerd with node --import
  on one extra, untimed restore run: banhammerd exposes no event-loop metric of its own.
- sshguard runs as the pipeline /usr/sbin/sshguard builds (sshg-logtail | sshg-parser | sshg-blocker |
  sshg-fw-nft-sets); restore, start-up and jails do not apply to it.`;
