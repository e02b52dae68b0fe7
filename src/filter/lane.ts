// A filter's usual path for many lines in one native call (native/src/re2/lane.h). Calling RE2 from
// JavaScript once per line costs more than the regexes do: a line's date search and its failregexes
// each read the line across N-API, and each line was a string before any of them ran. A lane reads
// the bytes: for each line, the date template that won the last line at the line's start (what
// find() tries first, alone, and keeps when it finds), then prefregex (when the filter has one) on
// the line without its date, then the failregexes in order, each behind its literal, on that text or
// prefregex's <F-CONTENT>. Only a line that produced a failure becomes a string; its ignoreregexes
// are then checked here, as process() checks them after a failregex matched.
// The lane stops at the first line off that path (not ASCII, no date there, an empty date, an
// invalid time, too long); the caller reads that line the ordinary way (FailureFinder.process) and
// starts the lane again after it. So every line gets what process() would give it, and the date
// detector and the finder end in the state process() would leave (filter/lane.test.ts compares).

import { endBeforeCr } from '../core/line-end.ts';
import type { DateLane } from './date/detector.ts';
import type { DateDetector } from './date/index.ts';
import { type FinderParts, ignoresFirst } from './find-failure.ts';
import type { TupleLine } from './line-buffer.ts';
import { type NativeLane, nativeLane } from './native-regex.ts';
import { IGNORED, MISSED, type Outcome, type OutcomeSink } from './outcome.ts';
import type { Groups, Hit, LanePattern, Pattern } from './pattern.ts';

/** What the lane hands back to the finder it reads for. */
export interface LaneHost {
  /**
   * The outcome of a dated line whose failregex `pattern` matched the text without the date (or
   * prefregex's content of it); `pre`: prefregex's other groups, when the filter has one.
   */
  failure(pattern: number, hit: Hit, tuple: TupleLine, time: number, now: number, pre?: Groups): Outcome;
  /** The last dated line of a run, as process() keeps it for the undated lines after it. */
  dated(time: number, line: string, start: number, end: number): void;
}

/** The parts of a finder a lane reads for (Lane.for says which finders it can read for). */
export type LaneParts = Pick<
  FinderParts,
  'prefregex' | 'failregex' | 'ignoreregex' | 'detector' | 'maxlines'
>;

type ExactLanePattern = Extract<LanePattern, { hit: unknown }>;

/** The last line a run read (start -1: none yet): where it and its date are, and its time. */
export interface LastLine {
  start: number;
  end: number;
  date: number;
  dateEnd: number;
  time: number;
}

export const lastLine = (): LastLine => ({ start: -1, end: 0, date: 0, dateEnd: 0, time: 0 });

/**
 * The times of a run's rows as process() reads them: a date unlike the row before's is read (or
 * stepped from the last one read, when only its seconds differ); one like it has its time. Keeps
 * the last row read (`last`) and, when reading its date made the row's line a string, the line.
 */
export class RowTimes {
  readonly last = lastLine();
  /** The row's line, when reading its date decoded it. */
  line: string | undefined;
  #time: number | undefined;

  constructor(
    private readonly dates: DateLane,
    private readonly buf: Buffer,
    private readonly head: number,
    private readonly now: number,
  ) {}

  /** Reads the row at `o`; false when its date names no valid time (the lane stops at its line). */
  read(rows: Int32Array, o: number): boolean {
    const { dates, buf, head, now } = this;
    const start = rows[o]!;
    const end = rows[o + 1]!;
    this.line = undefined;
    let time = this.#time;
    if (rows[o + 3] === 0 || time === undefined) {
      time = dates.step(buf, start, rows, o + head, now);
      if (time === undefined) {
        this.line = buf.toString('latin1', start, end);
        time = dates.time(this.line, rows, o + head, now);
      }
      this.#time = time;
      if (time === undefined) return false;
    }
    const last = this.last;
    last.start = start;
    last.end = end;
    last.date = rows[o + head + 2]!;
    last.dateEnd = rows[o + head + 3]!;
    last.time = time;
    return true;
  }
}

/**
 * After a run of `lines` lines: the detector's bookkeeping for every one (find()'s, for the last
 * winner winning again), and the detector and the finder in the state process() leaves after the
 * last one (the host's record of its date, for the undated lines after it).
 */
export function endRun(
  dates: DateLane,
  host: Pick<LaneHost, 'dated'>,
  buf: Buffer,
  last: LastLine,
  lines: number,
  now: number,
): void {
  dates.won(last.date, last.dateEnd, now, lines);
  const line = buf.toString('latin1', last.start, last.end);
  dates.finish(line);
  host.dated(last.time, line, last.date, last.dateEnd);
}

/**
 * Where the line before the one at `start` starts (`start` > 0 starts a line). Not lastIndexOf
 * with `start - 2` alone: at `start` 1 that offset is -1, which Buffer reads from the end.
 */
export function lineBefore(buf: Buffer, start: number): number {
  return start < 2 ? 0 : buf.lastIndexOf(0x0a, start - 2) + 1;
}

/** Where the line at `start` ends, before "\r\n" or "\n" (`next`: the line after it starts there). */
export function lineEnd(buf: Buffer, start: number, next: number): number {
  return endBeforeCr(buf, start, next - 1);
}

/** Rows per native call; the rows' memory (about 140 KiB for sshd) is kept for the next call. */
const ROWS = 1024;

export class Lane {
  readonly #native: NativeLane;
  readonly #patterns: readonly LanePattern[];
  readonly #pref: ExactLanePattern | undefined;
  readonly #ignoreregex: readonly Pattern[];
  /** The failregexes as process() runs them, for a line a superset's match leaves to them. */
  readonly #search: readonly Pattern[];
  readonly #detector: DateDetector;
  readonly #host: LaneHost;
  #rows = new Int32Array(0);

  private constructor(
    native: NativeLane,
    patterns: {
      failregex: readonly LanePattern[];
      pref: ExactLanePattern | undefined;
      ignoreregex: readonly Pattern[];
      search: readonly Pattern[];
    },
    detector: DateDetector,
    host: LaneHost,
  ) {
    this.#native = native;
    this.#patterns = patterns.failregex;
    this.#pref = patterns.pref;
    this.#ignoreregex = patterns.ignoreregex;
    this.#search = patterns.search;
    this.#detector = detector;
    this.#host = host;
  }

  /**
   * A lane for a finder of one-line failures whose failregexes and prefregex (when it has one) are
   * all exact patterns on libre2; undefined for any other (or without the addon). ignoreregex is
   * checked here, on the failures a lane finds, as process() checks it after a failregex; when
   * there are clearly fewer ignoreregexes than failregexes, process() checks them first too, on
   * every line: the native lane does, then, for exact ones (a lane is made for no other).
   */
  static for(parts: LaneParts, host: LaneHost): Lane | undefined {
    const { ignoreregex, failregex, prefregex } = parts;
    if (parts.maxlines > 1 || !parts.detector.lane) return undefined;
    const early = ignoresFirst(parts);
    const first: ExactLanePattern[] = [];
    for (const p of early ? ignoreregex : []) {
      if (!p.lane || p.lane.confirms) return undefined;
      first.push(p.lane);
    }
    const patterns: LanePattern[] = [];
    for (const p of failregex) {
      if (!p.lane) return undefined;
      patterns.push(p.lane);
    }
    // prefregex must be exact: its groups and content are read from the row.
    const lanePref = prefregex?.lane;
    if (prefregex && (!lanePref || lanePref.confirms)) return undefined;
    const pref = lanePref && !lanePref.confirms ? lanePref : undefined;
    const content = pref ? pref.matcher.names.indexOf('content') : -1;
    let native: NativeLane | undefined;
    try {
      native = nativeLane(
        patterns.map((p) => p.matcher),
        patterns.map((p) => p.literal),
        pref && { matcher: pref.matcher, literal: pref.literal, content },
        patterns.map((p) => p.confirms === true),
        early ? { matchers: first.map((p) => p.matcher), literals: first.map((p) => p.literal) } : undefined,
        { fails: patterns, pref },
      );
    } catch {
      // The addon refuses what it cannot read from ASCII lines (a non-ASCII prefregex literal).
      return undefined;
    }
    return (
      native &&
      new Lane(native, { failregex: patterns, pref, ignoreregex, search: failregex }, parts.detector, host)
    );
  }

  /**
   * Reads the lines of buf[from, to) while they keep to the usual path, each outcome to `each`
   * in order, with where its line starts and where the next one does (and the line's text when it
   * was decoded: for a failure); returns where it stopped: `to`, or the start of a line to read the ordinary way.
   * Lines longer than `maxLine` bytes are left to the caller.
   */
  read(buf: Buffer, from: number, to: number, now: number, maxLine: number, each: OutcomeSink): number {
    const dates = this.#detector.lane?.();
    if (!dates) return from;
    const head = this.#native.head;
    const prefAt = head + 2 * dates.matcher.names.length;
    const failAt = prefAt + 2 * this.#native.prefGroups;
    const stride = failAt + 2 * this.#native.failGroups;
    if (this.#rows.length < ROWS * stride) this.#rows = new Int32Array(ROWS * stride);
    const rows = this.#rows;
    let at = from;
    let lines = 0;
    // The run's times, and its last line, for the state process() leaves behind it.
    const times = new RowTimes(dates, buf, head, now);
    const last = times.last;
    for (;;) {
      const n = this.#native.scan(buf, at, to, dates.matcher.handle, dates.reach, maxLine, rows);
      let stopped = false;
      for (let r = 0; r < n; r++) {
        const o = r * stride;
        if (!times.read(rows, o)) {
          // No valid time: process() then reads the line as undated; the caller gives it the line.
          at = rows[o]!;
          stopped = true;
          break;
        }
        const start = last.start;
        const end = last.end;
        const time = last.time;
        let line = times.line;
        lines++;
        const next = rows[o + 2]!;
        if (rows[o + 4] === -1) each(MISSED_DATED, start, next);
        else {
          line ??= buf.toString('latin1', start, end);
          each(this.hitOutcome(rows, o, prefAt, failAt, line, time, now), start, next, line);
        }
        at = next;
      }
      // Fewer rows than room for: the scan stopped at a line off the path, or at `to`.
      if (stopped || n < ROWS) break;
    }
    if (lines > 0) this.ended(dates, buf, last, lines, now);
    return at;
  }

  /** The lane's program, for a group of lanes (group-lane.ts). */
  get native(): NativeLane {
    return this.#native;
  }

  /** The date template the next line is read with, when it is on libre2 (else no lane now). */
  dates(): DateLane | undefined {
    return this.#detector.lane?.();
  }

  /**
   * process()'s outcome for a dated line whose row (at `o`, its prefregex's and failregex's spans
   * at `prefAt` and `failAt`) says a failregex, or the superset of one, matched, or an
   * ignoreregex checked first did.
   */
  hitOutcome(
    rows: Int32Array,
    o: number,
    prefAt: number,
    failAt: number,
    line: string,
    time: number,
    now: number,
  ): Outcome {
    const head = this.#native.head;
    const k = rows[o + 4]!;
    if (k === this.#native.ignored) return IGNORED_DATED;
    const ds = rows[o + head + 2]!;
    const de = rows[o + head + 3]!;
    const pre = line.slice(0, ds);
    const post = line.slice(de);
    // process()'s steps on the text without the date: prefregex, its content, failregex, ignoreregex.
    let text = pre + post;
    let preGroups: Groups | undefined;
    const pref = this.#pref;
    if (pref) {
      const { content, ...rest } = pref.hit(text, rows, o + prefAt).groups;
      preGroups = rest;
      if (content) text = content;
    }
    // An exact failregex's match is read from the row; a superset's is confirmed by the
    // failregexes as process() runs them, from that one on.
    let index = k;
    let hit: Hit | undefined;
    const found = k >= 0 ? this.#patterns[k] : undefined;
    if (found && !found.confirms) hit = found.hit(text, rows, o + failAt);
    else
      for (index = -k - 2; index < this.#search.length; index++) {
        hit = this.#search[index]!.search(text);
        if (hit) break;
      }
    const ignoreregex = this.#ignoreregex;
    if (!hit) return MISSED_DATED;
    if (ignoreregex.length > 0 && ignoreregex.some((ig) => ig.search(text))) return IGNORED_DATED;
    return this.#host.failure(index, hit, { pre, date: line.slice(ds, de), post }, time, now, preGroups);
  }

  /** endRun() for this lane's finder. */
  ended(dates: DateLane, buf: Buffer, last: LastLine, lines: number, now: number): void {
    endRun(dates, this.#host, buf, last, lines, now);
  }
}

// process()'s outcomes for a dated line no failregex matched, and for one an ignoreregex then matched.
const MISSED_DATED = MISSED[1]!;
const IGNORED_DATED = IGNORED[1]!;
