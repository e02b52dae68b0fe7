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
  job: PartJob & { fd: number },
): WorkerResult {
  const failing: Failing[] = [];
  const result = readPart(filter, failregexes, job, job.json ? (f) => failing.push(f) : undefined);
  return { ...result, failing };
}

/** What a worker thread is given (workerData): plain data. */
export interface PartJob {
  readonly filter: FilterRequest;
  readonly log: string;
  readonly part: Part;
  readonly last: boolean;
  readonly now: number;
  readonly json: boolean;
}

/** What the worker posts back: the part's result, and its failing lines when --json asked. */
export interface WorkerResult extends PartResult {
  readonly failing: readonly Failing[];
}
