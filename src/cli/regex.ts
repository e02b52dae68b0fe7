// `banctl regex`, banhammer's fail2ban-regex: runs a filter over a log file (or one line) with the
// daemon's own engine and reports what matched. Unlike the rest of banctl it needs no daemon, so
// it reads configuration and compiles filters itself. Its --json output is a fixed contract:
// one {"line","ip","time"} object per line that produced a failure, then one {"summary"}.
// This module only plans the parts and starts the worker threads; regex-read.ts, loaded after,
// compiles the filter and reads.

import { closeSync, existsSync, fstatSync, openSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FilterRequest } from './regex-filter.ts';
import type { PartDone, QueueJob, WorkerResult } from './regex-part.ts';
import { type Part, planParts } from './regex-parts.ts';

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
    const parts: Part[] =
      fd !== undefined && jobs > 1
        ? planParts(fd, size, Math.min(jobs * PARTS_PER_JOB, Math.ceil(size / MIN_PART_BYTES)))
        : [{ warm: 0, from: 0, to: size }];
    // Part 0 is this thread's, read and printed as it goes; the others go to whoever claims them.
    const claims = new Int32Array(new SharedArrayBuffer(4));
    claims[0] = 1;
    const job: QueueJob = { filter: request, log, parts, size, now: opts.now, json: opts.json, claims };
    // Workers compile the filter for themselves, so they start before this thread even loads the
    // engine (config, filters, RE2: most of banctl's start-up), and load theirs alongside; if the
    // filter then turns out to tie lines together, they are stopped and the log read in one pass.
    const workers = parts.length > 1 ? Array.from({ length: jobs - 1 }, () => new PartWorker(job)) : [];
    const { readLog } = await import('./regex-read.ts');
    return readLog({ request, log, fd, size, parts, workers, claims }, opts, out);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A worker thread reading the parts it claims. One that cannot start or fails (no built dist/, a
 * thread limit) costs only speed: a part it claimed and did not finish is read on this thread.
 */
export class PartWorker {
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
