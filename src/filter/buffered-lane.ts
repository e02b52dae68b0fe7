// A multi-line filter's lines (maxlines > 1) in one native pass, where its failregexes each have a
// literal (FailureFinder's buffer literals). Every line enters the buffer, but while no buffered line
// holds a literal no failregex can match, and the buffer is neither joined nor searched: what a line
// then needs is its date (for the detector and the time), and, only if a literal line comes within
// maxlines of it, its text. So the native lane reads each line's date and says whether the line holds
// a literal (each literal's "failregex" matches anything); a line that does not, while none buffered
// does, is kept as offsets, and only the last maxlines of them become strings: before a literal line
// is searched, and at the end of the run (the caller's buffer is then read again). A literal line,
// and every line while one is buffered, goes through FailureFinder's buffer search exactly as
// process() takes it. fail2ban's slapd read each line in JavaScript, for fifty jails' 20% of time.
// In a group lane (group-lane.ts) the lane reads no date itself: the group, which reads every
// line's date for all its members, hands it the lines holding its literals and the dates it read,
// and the lines between are taken as read() takes them (held, or searched while a literal line is
// buffered), only those that can matter being found by walking back from the next hit. Reading
// every line's date again was this lane's whole cost, ~140 ns a line, a tenth of fifty jails' time.

import type { DateLane } from './date/detector.ts';
import type { DateDetector } from './date/index.ts';
import { endRun, type LastLine, lineBefore, lineEnd, RowTimes } from './lane.ts';
import type { TupleLine } from './line-buffer.ts';
import { type NativeLane, nativeLane, nativeMatcher } from './native-regex.ts';
import { MISSED, type Outcome, type OutcomeSink } from './outcome.ts';

/** What the lane hands to the finder it reads for. */
export interface BufferedHost {
  /** Whether a buffered line holds a literal (then every line is searched). */
  readonly holding: boolean;
  /** Lines that hold no literal, in order, into the buffer as process() would push them. */
  hold(lines: readonly TupleLine[]): void;
  /** process()'s buffer search for a dated line. */
  find(tuple: TupleLine, time: number, now: number): Outcome;
  /** The last dated line of a run, as process() keeps it for the undated lines after it. */
  dated(time: number, line: string, start: number, end: number): void;
}

const ROWS = 1024;
const MISSED_DATED = MISSED[1]!;

/**
 * The last maxlines lines kept as offsets in the run's buffer (start, end, date start, date end
 * each), oldest first from `first`: a ring, so holding a line allocates nothing.
 */
class HeldLines {
  readonly #at: Int32Array;
  readonly #size: number;
  /** Lines held at most: maxlines. */
  get size(): number {
    return this.#size;
  }
  #first = 0;
  count = 0;

  constructor(size: number) {
    this.#size = size;
    this.#at = new Int32Array(4 * size);
  }

  hold(start: number, end: number, date: number, dateEnd: number): void {
    const slot = 4 * ((this.#first + this.count) % this.#size);
    this.#at[slot] = start;
    this.#at[slot + 1] = end;
    this.#at[slot + 2] = date;
    this.#at[slot + 3] = dateEnd;
    if (this.count < this.#size) this.count++;
    else this.#first = (this.#first + 1) % this.#size;
  }

  /** The held lines as process() would have pushed them, oldest first; then none are held. */
  take(buf: Buffer): TupleLine[] {
    const out: TupleLine[] = [];
    for (let k = 0; k < this.count; k++) {
      const slot = 4 * ((this.#first + k) % this.#size);
      const a = this.#at;
      out.push(tupleOf(buf.toString('latin1', a[slot]!, a[slot + 1]!), a[slot + 2]!, a[slot + 3]!));
    }
    this.#first = 0;
    this.count = 0;
    return out;
  }
}

export class BufferedLane {
  readonly #native: NativeLane;
  readonly #detector: DateDetector;
  readonly #host: BufferedHost;
  readonly #held: HeldLines;
  #rows = new Int32Array(0);
  /** In a group's read: where the next line this lane has not taken starts. */
  #cursor = -1;

  private constructor(native: NativeLane, detector: DateDetector, host: BufferedHost, maxlines: number) {
    this.#native = native;
    this.#detector = detector;
    this.#host = host;
    this.#held = new HeldLines(maxlines);
  }

  /** A lane for these literals (every one ASCII, none with a newline), or undefined without the addon. */
  static for(
    literals: readonly string[],
    detector: DateDetector,
    maxlines: number,
    host: BufferedHost,
  ): BufferedLane | undefined {
    if (!detector.lane) return undefined;
    const any = nativeMatcher('');
    if (!any) return undefined;
    let native: NativeLane | undefined;
    try {
      native = nativeLane(
        literals.map(() => any),
        literals,
      );
    } catch {
      return undefined;
    }
    return native && new BufferedLane(native, detector, host, maxlines);
  }

  /** The lane's program, for a group of lanes (group-lane.ts). */
  get native(): NativeLane {
    return this.#native;
  }

  /** The date template the next line is read with, when it is on libre2 (else no lane now). */
  dates(): DateLane | undefined {
    return this.#detector.lane?.();
  }

  /** A run's end, as read() leaves it: the detector's bookkeeping and the last line's date. */
  ended(dates: DateLane, buf: Buffer, last: LastLine, lines: number, now: number): void {
    endRun(dates, this.#host, buf, last, lines, now);
  }

  /**
   * Reading as a member of a group lane (group-lane.ts), which reads every line's date for all its
   * members and hands this lane only the lines holding one of its literals: from `from` on.
   */
  groupStart(from: number): void {
    this.#cursor = from;
  }

  /**
   * A line of the group's read that holds one of the literals (bounds, date spans in the line,
   * time): first the lines since the last one this lane took, as read() would have taken them,
   * their dates from the group's `dates`; then this one. Outcomes not missed go to `sink`.
   */
  groupHit(line: GroupLine, buf: Buffer, dates: DateTrail, now: number, sink: OutcomeSink): void {
    this.#gap(buf, line.start, dates, now, sink);
    this.#release(buf);
    const text = buf.toString('latin1', line.start, line.end);
    sink(
      this.#host.find(tupleOf(text, line.date, line.dateEnd), line.time, now),
      line.start,
      line.next,
      text,
    );
    this.#cursor = line.next;
  }

  /** The group's read ended at `at`: the lines since the last hit, then the held ones into the buffer. */
  groupEnd(buf: Buffer, at: number, dates: DateTrail, now: number, sink: OutcomeSink): void {
    this.#gap(buf, at, dates, now, sink);
    this.#release(buf);
    this.#cursor = -1;
  }

  /**
   * The lines from the cursor up to `upTo`, none holding a literal: searched one by one while a
   * buffered line holds one (as read() searches them), then held, of which only the last maxlines
   * can reach the buffer, so only those are found (walking back from `upTo`) and held.
   */
  #gap(buf: Buffer, upTo: number, dates: DateTrail, now: number, sink: OutcomeSink): void {
    let at = this.#cursor;
    const host = this.#host;
    while (at < upTo && host.holding) {
      const next = buf.indexOf(0x0a, at) + 1;
      const end = lineEnd(buf, at, next);
      const d = dates.of(at);
      const text = buf.toString('latin1', at, end);
      sink(host.find(tupleOf(text, d.date, d.dateEnd), d.time, now), at, next, text);
      at = next;
    }
    if (at < upTo) {
      let first = upTo;
      for (let k = 0; k < this.#held.size && first > at; k++) first = Math.max(at, lineBefore(buf, first));
      for (let start = first; start < upTo; ) {
        const next = buf.indexOf(0x0a, start) + 1;
        const d = dates.of(start);
        this.#held.hold(start, lineEnd(buf, start, next), d.date, d.dateEnd);
        start = next;
      }
    }
    this.#cursor = upTo;
  }

  /** The held lines into the buffer, as process() would have pushed them; then none are held. */
  #release(buf: Buffer): void {
    if (this.#held.count > 0) this.#host.hold(this.#held.take(buf));
  }

  /** As Lane.read: the lines of buf[from, to) while they keep to the usual path; returns where it stopped. */
  read(buf: Buffer, from: number, to: number, now: number, maxLine: number, each: OutcomeSink): number {
    const dates = this.#detector.lane?.();
    if (!dates) return from;
    const head = this.#native.head;
    const stride = head + 2 * dates.matcher.names.length + 2 * this.#native.failGroups;
    if (this.#rows.length < ROWS * stride) this.#rows = new Int32Array(ROWS * stride);
    const rows = this.#rows;
    const host = this.#host;
    // Lines held as offsets: the last maxlines of them matter.
    const held = this.#held;
    let at = from;
    let lines = 0;
    const times = new RowTimes(dates, buf, head, now);
    const last = times.last;
    for (;;) {
      const n = this.#native.scan(buf, at, to, dates.matcher.handle, dates.reach, maxLine, rows);
      let stopped = false;
      for (let r = 0; r < n; r++) {
        const o = r * stride;
        if (!times.read(rows, o)) {
          at = rows[o]!;
          stopped = true;
          break;
        }
        const { start, end, date: ds, dateEnd: de, time } = last;
        let line = times.line;
        lines++;
        const next = rows[o + 2]!;
        if (rows[o + 4] === -1 && !host.holding) {
          held.hold(start, end, ds, de);
          each(MISSED_DATED, start, next);
        } else {
          this.#release(buf);
          line ??= buf.toString('latin1', start, end);
          each(host.find(tupleOf(line, ds, de), time, now), start, next, line);
        }
        at = next;
      }
      if (stopped || n < ROWS) break;
    }
    this.#release(buf);
    if (lines > 0) endRun(dates, host, buf, last, lines, now);
    return at;
  }
}

/** A line the group lane hands a member: its bounds, where the next starts, its date, its time. */
export interface GroupLine {
  readonly start: number;
  readonly end: number;
  readonly next: number;
  readonly date: number;
  readonly dateEnd: number;
  readonly time: number;
}

/**
 * The dates a group lane read in one read(): for a line, the last date read at or before it (a
 * line with no date row of its own has the previous line's date, at the same place in the line).
 */
export class DateTrail {
  readonly #starts: number[] = [];
  readonly #dates: { date: number; dateEnd: number; time: number }[] = [];

  add(start: number, date: number, dateEnd: number, time: number): void {
    this.#starts.push(start);
    this.#dates.push({ date, dateEnd, time });
  }

  of(start: number): { date: number; dateEnd: number; time: number } {
    // The last entry starting at or before `start`: a binary search.
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    return this.#dates[lo]!;
  }
}

const tupleOf = (line: string, ds: number, de: number): TupleLine => ({
  pre: line.slice(0, ds),
  date: line.slice(ds, de),
  post: line.slice(de),
});
