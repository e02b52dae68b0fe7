// `banctl regex`, banhammer's fail2ban-regex: runs a filter over a log file (or one line) with the
// daemon's own engine and reports what matched. Unlike the rest of banctl it needs no daemon, so
// it reads configuration and compiles filters itself. Its --json output is a fixed contract:
// one {"line","ip","time"} object per line that produced a failure, then one {"summary"}.

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseActionList } from '../config/action-list.ts';
import { loadFilter, loadFilterFrom } from '../config/filter-file.ts';
import type { FilterConfig } from '../config/types.ts';
import { formatProblem } from '../core/errors.ts';
import { compileFilter, type Filter } from '../filter/compile.ts';
import { regexEngine } from '../filter/native-regex.ts';
import { LineSplitter } from '../tail/line-splitter.ts';

export interface RegexOptions {
  readonly json: boolean;
  readonly confDir: string;
  /** Milliseconds since the epoch: what year-less dates are read against. */
  readonly now: number;
}

/** FILTER as fail2ban-regex takes it: a path, a filter name with options, or a regex. */
function resolveFilter(spec: string, ignore: string | undefined, confDir: string): FilterConfig | string {
  const asIgnore = ignore === undefined ? [] : [{ pattern: ignore, file: '<command line>', line: 1 }];
  const withIgnore = (f: FilterConfig): FilterConfig =>
    asIgnore.length > 0 ? { ...f, ignoreregex: [...f.ignoreregex, ...asIgnore] } : f;
  if (existsSync(spec) && statSync(spec).isFile()) {
    const loaded = loadFilterFrom(dirname(spec), basename(spec).replace(/\.(conf|local)$/, ''), {});
    return 'filter' in loaded ? withIgnore(loaded.filter) : loaded.problems.map(formatProblem).join('\n');
  }
  const call = parseActionList(spec);
  if (
    'calls' in call &&
    call.calls.length === 1 &&
    existsSync(`${confDir}/filter.d/${call.calls[0]!.name}.conf`)
  ) {
    const { name, args } = call.calls[0]!;
    const loaded = loadFilter(confDir, name, args);
    return 'filter' in loaded ? withIgnore(loaded.filter) : loaded.problems.map(formatProblem).join('\n');
  }
  return {
    name: '<command line>',
    file: '<command line>',
    failregex: [{ pattern: spec, file: '<command line>', line: 1 }],
    ignoreregex: asIgnore,
  };
}

/**
 * LOG as fail2ban-regex takes it: an existing file's lines, read in chunks (a large log is never
 * held in memory whole) and cut as the daemon cuts them; or else the text itself as one line.
 * Each line goes to `each` as soon as it is cut (no generator: it cost 40 ns a line).
 */
function readLog(log: string, each: (line: string) => void): void {
  if (!(existsSync(log) && statSync(log).isFile())) {
    each(log);
    return;
  }
  const fd = openSync(log, 'r');
  try {
    // The daemon drops lines over 64 KiB; here every line keeps its number, so the cap is far higher.
    const splitter = new LineSplitter(64 * 1024 * 1024);
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) splitter.push(buf.subarray(0, n), each);
    // A last line without its newline still counts, as in fail2ban-regex.
    splitter.push(Buffer.from('\n'), (line) => {
      if (line !== '') each(line);
    });
  } finally {
    closeSync(fd);
  }
}

export function runRegex(
  log: string,
  filterSpec: string,
  ignore: string | undefined,
  opts: RegexOptions,
  out: (text: string) => void,
): number {
  const config = resolveFilter(filterSpec, ignore, opts.confDir);
  if (typeof config === 'string') {
    process.stderr.write(`banctl regex: ${config}\n`);
    return 65;
  }
  // Nothing here changes TZ while the log is read: the dates need not look it up for every line.
  const compiled = compileFilter(config, { fixedTz: true });
  if ('problems' in compiled) {
    process.stderr.write(`banctl regex: ${compiled.problems.map(formatProblem).join('\n')}\n`);
    return 65;
  }
  const filter: Filter = compiled.filter;
  const hits = config.failregex.map(() => 0);
  let matched = 0;
  let ignored = 0;
  let missed = 0;
  let dated = 0;
  let count = 0;
  readLog(log, (text) => {
    const i = count++;
    const r = filter.classify(text, opts.now);
    if (r.dated) dated++;
    if (r.outcome === 'ignored') ignored++;
    if (r.outcome === 'missed') missed++;
    if (r.outcome !== 'matched') return;
    matched++;
    hits[r.match.pattern]!++;
    if (!opts.json) return;
    const ip = r.match.address?.text ?? r.match.host;
    const time = r.match.time === undefined ? null : r.match.time / 1000;
    out(JSON.stringify({ line: i + 1, ip, time, ...(r.match.address ? {} : { host: true }) }));
  });
  const summary = {
    lines: count,
    matched,
    ignored,
    missed,
    dated,
    failregex: config.failregex.map((p, i) => ({ index: i, pattern: p.pattern, hits: hits[i] })),
    fallback: filter.fallbacks.map((f) => ({ pattern: f.pattern.pattern, constructs: f.constructs })),
    limited: filter.limited(),
  };
  if (opts.json) out(JSON.stringify({ summary }));
  else out(formatSummary(summary, config));
  return 0;
}

function formatSummary(
  s: {
    lines: number;
    matched: number;
    ignored: number;
    missed: number;
    dated: number;
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
  out.push(
    'Date template hits:',
    `|- lines with a date: ${s.dated}`,
    `\`- lines without:    ${s.lines - s.dated}`,
    '',
  );
  if (s.fallback.length > 0) {
    out.push('Patterns confirmed by the bounded fallback matcher:');
    for (const f of s.fallback) out.push(`|- ${f.constructs.join(', ')}: ${f.pattern}`);
    out.push(`\`- lines given up on (step or length bound): ${s.limited}`, '');
  }
  out.push(`Lines: ${s.lines} lines, ${s.ignored} ignored, ${s.matched} matched, ${s.missed} missed`);
  return out.join('\n');
}
