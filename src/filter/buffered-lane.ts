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

import type { DateDetector } from './date/index.ts';
import { endRun, RowTimes } from './lane.ts';
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
    const materialize = () => {
      if (held.count > 0) host.hold(held.take(buf));
    };
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
          materialize();
          line ??= buf.toString('latin1', start, end);
          each(host.find(tupleOf(line, ds, de), time, now), start, next, line);
        }
        at = next;
      }
      if (stopped || n < ROWS) break;
    }
    materialize();
    if (lines > 0) endRun(dates, host, buf, last, lines, now);
    return at;
  }
}

const tupleOf = (line: string, ds: number, de: number): TupleLine => ({
  pre: line.slice(0, ds),
  date: line.slice(ds, de),
  post: line.slice(de),
});
