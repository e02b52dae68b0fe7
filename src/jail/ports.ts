// What a jail needs from the outside besides the ban stage's ports: a source of log lines.

import type { Line } from '../core/types.ts';

export interface Subscription {
  /** Files currently followed for this subscriber (globs expanded). */
  files(): string[];
  close(): Promise<void>;
}

export interface FollowOptions {
  /**
   * Patterns of `paths` written with fail2ban's `head`: a file never read before starts at its
   * start rather than its end.
   */
  readonly fromHead?: readonly string[];
}

export interface LogSource {
  /**
   * Follows every file matching `paths` (globs allowed): a file read before resumes where the
   * last run stopped; a file never read before starts at its end (`head`: its start); files
   * that appear later are read from their start. Several subscribers of one file share one
   * reader. A source that is not made of files (the journal) ignores `paths`.
   */
  follow(
    paths: readonly string[],
    onLine: (line: Line) => void,
    options?: FollowOptions,
  ): Promise<Subscription>;
}
