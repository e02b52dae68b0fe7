// A filter's usual path for many lines in one native call (native/src/re2/lane.h). Calling RE2 from
// JavaScript once per line costs more than the regexes do: a line's date search and its failregexes
// each read the line across N-API, and each line was a string before any of them ran. A lane reads
// the bytes: for each line, the date template that won the last line at the line's start (what
// find() tries first, alone, and keeps when it finds), then the failregexes on the line without its
// date, in order, each behind its literal. Only a line that produced a failure becomes a string.
// The lane stops at the first line off that path (not ASCII, no date there, an empty date, an
// invalid time, too long); the caller reads that line the ordinary way (FailureFinder.process) and
// starts the lane again after it. So every line gets what process() would give it, and the date
// detector and the finder end in the state process() would leave (filter/lane.test.ts compares).

import type { DateDetector } from './date/index.ts';
import type { Outcome } from './find-failure.ts';
import type { TupleLine } from './line-buffer.ts';
import { type NativeLane, nativeLane } from './native-regex.ts';
import type { Hit, LanePattern, Pattern } from './pattern.ts';

/** What the lane hands back to the finder it reads for. */
export interface LaneHost {
  /** The outcome of a dated line whose failregex `pattern` matched the text without the date. */
  failure(pattern: number, hit: Hit, tuple: TupleLine, time: number, now: number): Outcome;
  /** The last dated line of a run, as process() keeps it for the undated lines after it. */
  dated(time: number, line: string, start: number, end: number): void;
}

/** The parts of a finder a lane needs; a lane exists only for a finder that has no others. */
export interface LaneParts {
  readonly prefregex: Pattern | undefined;
  readonly failregex: readonly Pattern[];
  readonly ignoreregex: readonly Pattern[];
  readonly detector: DateDetector;
  readonly maxlines: number;
}

/** Rows per native call; the rows' memory (about 140 KiB for sshd) is kept for the next call. */
const ROWS = 1024;

export class Lane {
  readonly #native: NativeLane;
  readonly #patterns: readonly LanePattern[];
  readonly #detector: DateDetector;
  readonly #host: LaneHost;
  #rows = new Int32Array(0);

  private constructor(
    native: NativeLane,
    patterns: readonly LanePattern[],
    detector: DateDetector,
    host: LaneHost,
  ) {
    this.#native = native;
    this.#patterns = patterns;
    this.#detector = detector;
    this.#host = host;
  }

  /**
   * A lane for a finder of one-line failures whose failregexes are all exact patterns on libre2,
   * with no prefregex nor ignoreregex; undefined for any other (or without the addon).
   */
  static for(parts: LaneParts, host: LaneHost): Lane | undefined {
    if (parts.maxlines > 1 || parts.prefregex || parts.ignoreregex.length > 0) return undefined;
    if (!parts.detector.lane) return undefined;
    const patterns: LanePattern[] = [];
    for (const p of parts.failregex) {
      if (!p.lane) return undefined;
      patterns.push(p.lane);
    }
    const native = nativeLane(
      patterns.map((p) => p.matcher),
      patterns.map((p) => p.literal),
    );
    return native && new Lane(native, patterns, parts.detector, host);
  }

  /**
   * Reads the lines of buf[from, to) while they keep to the usual path, each outcome to `each`
   * in order, with where its line starts and where the next one does (and the line's text when it
   * was decoded: for a failure); returns where it stopped: `to`, or the start of a line to read the ordinary way.
   * Lines longer than `maxLine` bytes are left to the caller.
   */
  read(
    buf: Buffer,
    from: number,
    to: number,
    now: number,
    maxLine: number,
    each: (r: Outcome, start: number, next: number, text?: string) => void,
  ): number {
    const dates = this.#detector.lane?.();
    if (!dates) return from;
    const head = this.#native.head;
    const failAt = head + 2 * dates.matcher.names.length;
    const stride = failAt + 2 * this.#native.failGroups;
    if (this.#rows.length < ROWS * stride) this.#rows = new Int32Array(ROWS * stride);
    const rows = this.#rows;
    const host = this.#host;
    let at = from;
    let time: number | undefined;
    // The run's last line, for the state process() leaves behind it.
    let lastStart = -1;
    let lastEnd = 0;
    let lastDate = 0;
    let lastDateEnd = 0;
    let lastTime = 0;
    for (;;) {
      const n = this.#native.scan(buf, at, to, dates.matcher.handle, dates.reach, maxLine, rows);
      let stopped = false;
      for (let r = 0; r < n; r++) {
        const o = r * stride;
        const start = rows[o]!;
        const end = rows[o + 1]!;
        let line: string | undefined;
        // A date unlike the row before's is read; one like it has its time.
        if (rows[o + 3] === 0 || time === undefined) {
          line = buf.toString('latin1', start, end);
          time = dates.time(line, rows, o + head, now);
          if (time === undefined) {
            // No valid time: process() then reads the line as undated; the caller gives it the line.
            at = start;
            stopped = true;
            break;
          }
        }
        const ds = rows[o + head + 2]!;
        const de = rows[o + head + 3]!;
        dates.won(ds, de, now);
        lastStart = start;
        lastEnd = end;
        lastDate = ds;
        lastDateEnd = de;
        lastTime = time;
        const k = rows[o + 4]!;
        const next = rows[o + 2]!;
        if (k < 0) each(MISSED_DATED, start, next);
        else {
          line ??= buf.toString('latin1', start, end);
          const pre = line.slice(0, ds);
          const post = line.slice(de);
          const hit = this.#patterns[k]!.hit(pre + post, rows, o + failAt);
          each(host.failure(k, hit, { pre, date: line.slice(ds, de), post }, time, now), start, next, line);
        }
        at = next;
      }
      // Fewer rows than room for: the scan stopped at a line off the path, or at `to`.
      if (stopped || n < ROWS) break;
    }
    if (lastStart >= 0) {
      const line = buf.toString('latin1', lastStart, lastEnd);
      dates.finish(line);
      host.dated(lastTime, line, lastDate, lastDateEnd);
    }
    return at;
  }
}

// process()'s outcome for a dated line no failregex matched (find-failure.ts MISSED).
const MISSED_DATED: Outcome = Object.freeze({ outcome: 'missed', dated: true });
