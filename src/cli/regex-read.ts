// banctl regex's reading side (regex.ts starts it, with the worker threads already loading): compiles
// the filter, reads part 0 and whatever parts the workers leave, then prints what fail2ban-regex
// prints, or --json's summary.

import type { FilterConfig } from '../config/types.ts';
import type { Filter } from '../filter/compile.ts';
import { regexEngine } from '../filter/native-regex.ts';
import type { PartWorker, RegexOptions } from './regex.ts';
import { type FilterRequest, loadRegexFilter } from './regex-filter.ts';
import { claim, readPart, readPartKept, type WorkerResult } from './regex-part.ts';
import type { Part } from './regex-parts.ts';
import { addTally, emptyTally, type Failing, type Tally, tallier, tallyDates } from './regex-scan.ts';

/** What regex.ts has set up: the log (fd undefined: LOG is one line's text), its parts, the workers. */
export interface ReadJob {
  readonly request: FilterRequest;
  readonly log: string;
  readonly fd: number | undefined;
  readonly size: number;
  readonly parts: Part[];
  readonly workers: PartWorker[];
  readonly claims: Int32Array;
}

export async function readLog(
  job: ReadJob,
  opts: RegexOptions,
  out: (text: string) => void,
): Promise<number> {
  const { request, log, fd, size, claims } = job;
  let { parts, workers } = job;
  const loaded = loadRegexFilter(request);
  if ('error' in loaded || !loaded.filter.independentLines) {
    for (const w of workers) w.stop();
    workers = [];
    parts = [{ warm: 0, from: 0, to: size }];
  }
  if ('error' in loaded) {
    process.stderr.write(`banctl regex: ${loaded.error}\n`);
    return 65;
  }
  const { config, filter } = loaded;
  const failregexes = config.failregex.length;
  const tally = emptyTally(failregexes);
  let limited = 0;
  // Lines are numbered over the whole log: a part's own numbers start after the lines before it.
  const print = (offset: number) => (f: Failing) =>
    out(JSON.stringify({ line: offset + f.line, ip: f.ip, time: f.time, ...(f.host ? { host: true } : {}) }));
  if (fd === undefined) {
    tallier(filter, opts.now, tally, opts.json ? print(0) : undefined)(log);
    tallyDates(tally, filter);
    limited = filter.limited();
  } else {
    const partJob = (i: number) => ({ part: parts[i]!, last: parts[i]!.to === size, now: opts.now, fd });
    const first = readPart(filter, failregexes, partJob(0), opts.json ? print(0) : undefined);
    addTally(tally, first.tally);
    limited += first.limited;
    // Then parts claimed here, kept for printing in order; then what the workers read.
    const done: (WorkerResult | undefined)[] = new Array(parts.length);
    for (let i = claim(claims, parts.length); i >= 0; i = claim(claims, parts.length))
      done[i] = readPartKept(filter, failregexes, { ...partJob(i), json: opts.json });
    for (const w of workers) for (const [i, r] of await w.results()) done[i] = r;
    for (let i = 1; i < parts.length; i++) {
      // A part claimed by a worker that then failed is read here.
      const r = done[i] ?? readPartKept(filter, failregexes, { ...partJob(i), json: opts.json });
      if (opts.json) r.failing.forEach(print(tally.lines));
      addTally(tally, r.tally);
      limited += r.limited;
    }
  }
  report(config, filter, tally, limited, opts, out);
  return 0;
}

function report(
  config: FilterConfig,
  filter: Filter,
  tally: Tally,
  limited: number,
  opts: RegexOptions,
  out: (text: string) => void,
): void {
  const summary = {
    lines: tally.lines,
    matched: tally.matched,
    ignored: tally.ignored,
    missed: tally.missed,
    dated: tally.dated,
    // Most lines first, as a table of hits reads best.
    dates: [...tally.dates]
      .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
      .map(([template, hits]) => ({ template, hits })),
    failregex: config.failregex.map((p, i) => ({ index: i, pattern: p.pattern, hits: tally.hits[i] })),
    fallback: filter.fallbacks.map((f) => ({ pattern: f.pattern.pattern, constructs: f.constructs })),
    limited,
  };
  if (opts.json) out(JSON.stringify({ summary }));
  else out(formatSummary(summary, config));
}

function formatSummary(
  s: {
    lines: number;
    matched: number;
    ignored: number;
    missed: number;
    dated: number;
    dates: { template: string; hits: number }[];
    failregex: { index: number; pattern: string; hits: number | undefined }[];
    fallback: { pattern: string; constructs: readonly string[] }[];
    limited: number;
  },
  config: FilterConfig,
): string {
  const out = [
    '',
    'Running tests',
    '=============',
    '',
    `Use   failregex filter file : ${config.name}, ${config.file}`,
    `Regex engine: ${regexEngine()}`,
    '',
  ];
  out.push(
    'Results',
    '=======',
    '',
    `Failregex: ${s.matched} total`,
    '|-  #) [# of hits] regular expression',
  );
  for (const r of s.failregex) out.push(`|   ${r.index + 1}) [${r.hits}] ${r.pattern}`);
  out.push('`-', '');
  out.push(`Ignoreregex: ${s.ignored} total`, '');
  out.push('Date template hits:', '|- [# of hits] date format');
  for (const d of s.dates) out.push(`|  [${d.hits}] ${d.template}`);
  out.push(`|- lines with a date: ${s.dated}`, `\`- lines without:    ${s.lines - s.dated}`, '');
  if (s.fallback.length > 0) {
    out.push('Patterns confirmed by the bounded fallback matcher:');
    for (const f of s.fallback) out.push(`|- ${f.constructs.join(', ')}: ${f.pattern}`);
    out.push(`\`- lines given up on (step or length bound): ${s.limited}`, '');
  }
  out.push(`Lines: ${s.lines} lines, ${s.ignored} ignored, ${s.matched} matched, ${s.missed} missed`);
  return out.join('\n');
}
