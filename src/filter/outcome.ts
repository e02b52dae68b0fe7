// What became of a log line in a filter, shared by the line-by-line path (find-failure.ts) and the
// lane (lane.ts), so both hand out the same outcomes.

import type { Match } from './find-failure.ts';

/**
 * What became of a line, for `banctl regex`'s counts; `dated` when a date was found in it.
 * `missed` includes lines a failregex matched that are not failures (yet): <F-NOFAIL>, a session
 * still waiting for its address.
 */
export type Outcome =
  | { readonly outcome: 'matched'; readonly dated: boolean; readonly match: Match }
  | { readonly outcome: 'ignored' | 'missed'; readonly dated: boolean };

/**
 * Where a run of lines' outcomes go, in order (Filter.readLines): each with where its line starts
 * and where the next one does, and the line's text when it was decoded on the way.
 */
export type OutcomeSink = (r: Outcome, start: number, next: number, text?: string) => void;

// What a line that produced no failure became, by Number(dated); shared, as they carry nothing of the line.
export const MISSED: readonly Outcome[] = [false, true].map((dated) =>
  Object.freeze({ outcome: 'missed', dated }),
);
export const IGNORED: readonly Outcome[] = [false, true].map((dated) =>
  Object.freeze({ outcome: 'ignored', dated }),
);
