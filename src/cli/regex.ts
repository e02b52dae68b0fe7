// `banctl regex`, banhammer's fail2ban-regex: runs a filter over a log file (or one line) with the
// daemon's own engine and reports what matched. Unlike the rest of banctl it needs no daemon, so
// it reads configuration and compiles filters itself. Its --json output is a fixed contract:
// one {"line","ip","time"} object per line that produced a failure, then one {"summary"}.

import { closeSync, existsSync, fstatSync, openSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FilterConfig } from '../config/types.ts';
import type { Filter } from '../filter/compile.ts';
import { regexEngine } from '../filter/native-regex.ts';
import { type FilterRequest, loadRegexFilter } from './regex-filter.ts';
import {
  claim,
  type PartDone,
  type QueueJob,
  readPart,
  readPartKept,
  type WorkerResult,
} from './regex-part.ts';
import { type Part, planParts } from './regex-parts.ts';
import { addTally, emptyTally, type Failing, type Tally, tallier, tallyDates } from './regex-scan.ts';

export interface RegexOptions {
  readonly json: boolean;
  readonly confDir: string;
  /** Milliseconds since the epoch: what year-less dates are read against. */
  readonly now: number;
  /**
   * Threads reading parts of a log file at once; 1 reads it in one pass. Default: the CPUs (at
   * most MAX_JOBS) for a file of PARALLEL_BYTES or more, else 1. Only a filter whose lines are
   * independent (Filter.independentLines) is ever read in parts.
   */
  readonly jobs?: number;
}

// Below this, starting a worker (compiling the filter again, ~50 ms) costs more than it saves.
const PARALLEL_BYTES = 16 * 1024 * 1024;
const MAX_JOBS = 4;
// Parts per thread, each of at least MIN_PART_BYTES: each costs a warm-up read of up to 64 KiB.
const PARTS_PER_JOB = 8;
const MIN_PART_BYTES = 4 * 1024 * 1024;

// The built worker, from src/cli/ (tests) and dist/cli/ alike; when it is missing, each part is
// read on the main thread instead.
const WORKER = new URL('../../dist/cli/regex-worker.js', import.meta.url);

export async function runRegex(
  log: string,
  filterSpec: string,
  ignore: string | undefined,
  opts: RegexOptions,
  out: (text: string) => void,
): Promise<number> {
  const request: FilterRequest = { spec: filterSpec, ignore, confDir: opts.confDir };
  // LOG that is no file is the text of one line.
  const fd = existsSync(log) && statSync(log).isFile() ? openSync(log, 'r') : undefined;
  try {
    const size = fd === undefined ? 0 : fstatSync(fd).size;
    const jobs = opts.jobs ?? (size >= PARALLEL_BYTES ? Math.min(availableParallelism(), MAX_JOBS) : 1);
    // Several parts per thread, claimed in turn from a shared counter: a thread that started later
    // or runs slower (a worker compiles its filter first) takes fewer, and all end together.
    let parts: Part[] =
      fd !== undefined && jobs > 1
        ? planParts(fd, size, Math.min(jobs * PARTS_PER_JOB, Math.ceil(size / MIN_PART_BYTES)))
        : [{ warm: 0, from: 0, to: size }];
    // Part 0 is this thread's, read and printed as it goes; the others go to whoever claims them.
    const claims = new Int32Array(new SharedArrayBuffer(4));
    claims[0] = 1;
    const job: QueueJob = { filter: request, log, parts, size, now: opts.now, json: opts.json, claims };
    // Workers compile the filter for themselves, so they start before this thread compiles its
    // own; if it then turns out to tie lines together, they are stopped and the log read in one pass.
    let workers = parts.length > 1 ? Array.from({ length: jobs - 1 }, () => new PartWorker(job)) : [];
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
      out(
        JSON.stringify({ line: offset + f.line, ip: f.ip, time: f.time, ...(f.host ? { host: true } : {}) }),
      );
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
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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

/**
 * A worker thread reading the parts it claims. One that cannot start or fails (no built dist/, a
 * thread limit) costs only speed: a part it claimed and did not finish is read on this thread.
 */
class PartWorker {
  readonly #worker: Worker | undefined;
  readonly #done = new Map<number, WorkerResult>();
  readonly #finished: Promise<void>;

  constructor(job: QueueJob) {
    let worker: Worker | undefined;
    try {
      worker = new Worker(WORKER, { workerData: job });
    } catch {
      worker = undefined;
    }
    this.#worker = worker;
    this.#finished = new Promise((resolve) => {
      if (!worker) return resolve();
      worker.on('message', (r: PartDone) => this.#done.set(r.index, r.result));
      worker.once('error', () => resolve());
      worker.once('exit', () => resolve());
    });
  }

  stop(): void {
    void this.#worker?.terminate();
  }

  /** The parts it read, by index, once it has stopped. */
  async results(): Promise<ReadonlyMap<number, WorkerResult>> {
    await this.#finished;
    return this.#done;
  }
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
