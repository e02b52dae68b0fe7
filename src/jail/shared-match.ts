// Jails with the same filter on the same files share one compiled filter (plan.ts), and the log
// source hands each line to all of them as one Line object: the first jail's match is kept for
// the others, so fifty jails on one log cost one match per line, not fifty. The memo holds the
// last line per filter only, which is exact because a line reaches every subscriber before the
// next line is read.

import type { Line } from '../core/types.ts';
import type { Filter, Match } from '../filter/compile.ts';

const last = new WeakMap<Filter, { line: Line; result: Match | undefined }>();

/** `filter`'s match for `line`, computed once however many jails ask. */
export function matchOnce(filter: Filter, line: Line, now: number): Match | undefined {
  const hit = last.get(filter);
  if (hit?.line === line) return hit.result;
  const result = filter.match(line.text, now, line.timeKnown ? line.time : undefined);
  last.set(filter, { line, result });
  return result;
}
