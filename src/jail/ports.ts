// What a jail needs from the outside besides the ban stage's ports: a source of log lines.

import type { Line } from '../core/types.ts';

export interface Subscription {
  /** Files currently followed for this subscriber (globs expanded). */
  files(): string[];
  close(): Promise<void>;
}

export interface LogSource {
  /**
   * Follows every file matching `paths` (globs allowed) from its current end; files that appear
   * later are read from their start. Several subscribers of one file share one reader.
   */
  follow(paths: readonly string[], onLine: (line: Line) => void): Promise<Subscription>;
}
