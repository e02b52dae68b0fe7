// Reading one part of a log (regex-parts.ts) with a filter, on a worker thread or, when a worker
// cannot run, on the calling one: the warm-up lines first, for the date detector only, then the
// part's own lines, tallied.

import type { Filter } from '../filter/compile.ts';
import type { FilterRequest } from './regex-filter.ts';
import type { Part } from './regex-parts.ts';
import { classifyRange, emptyTally, type Failing, type Tally, tallyDates, tallyOf } from './regex-scan.ts';

export interface PartResult {
  readonly tally: Tally;
  /** Lines of the part the bounded fallback gave up on. */
  readonly limited: number;
}

/** Reads `part`; each failing line, numbered from 1 within the part, goes to `failing` when given. */
export function readPart(
  filter: Filter,
  failregexes: number,
  job: { fd: number; part: Part; last: boolean; now: number },
  failing?: (f: Failing) => void,
): PartResult {
  const { fd, part, last, now } = job;
  classifyRange(fd, { from: part.warm, to: part.from, last: false }, filter, now, () => {});
  const before = filter.limited();
  // The warm-up's dates are the part before's: counted there.
  const dated = filter.dateHits();
  const tally = emptyTally(failregexes);
  classifyRange(fd, { from: part.from, to: part.to, last }, filter, now, tallyOf(tally, failing));
  tallyDates(tally, filter, dated);
  return { tally, limited: filter.limited() - before };
}

/**
 * readPart for a part whose failing lines are printed later, after the parts before it: they
 * are kept (when --json asks for them) and returned with the result.
 */
export function readPartKept(
  filter: Filter,
  failregexes: number,
  job: { fd: number; part: Part; last: boolean; now: number; json: boolean },
): WorkerResult {
  const failing: Failing[] = [];
  const result = readPart(filter, failregexes, job, job.json ? (f) => failing.push(f) : undefined);
  return { ...result, failing };
}

/** What a worker thread is given (workerData): plain data, and the shared claims counter. */
export interface QueueJob {
  readonly filter: FilterRequest;
  readonly log: string;
  readonly parts: readonly Part[];
  /** The log's size: the part that ends there ends the log. */
  readonly size: number;
  readonly now: number;
  readonly json: boolean;
  /** claims[0]: the next part to read, over every thread (claim()). */
  readonly claims: Int32Array;
}

/** The next part for the calling thread, or -1 when every part is taken. */
export function claim(claims: Int32Array, parts: number): number {
  const i = Atomics.add(claims, 0, 1);
  return i < parts ? i : -1;
}

/** What the worker posts back per part: the part's result, and its failing lines when --json asked. */
export interface WorkerResult extends PartResult {
  readonly failing: readonly Failing[];
}

/** One part read by a worker. */
export interface PartDone {
  readonly index: number;
  readonly result: WorkerResult;
}
