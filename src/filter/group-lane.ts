// Several filters reading the same lines (the jails of one log file): each line's date read once
// for all of them. Fifty jails on one log each ran their own lane over every line, and reading the
// date was most of a lane's time for a line its filter then missed (bench/figures/many-jails.mjs).
// A group lane (native/src/re2/lane.cc, GroupScan) reads a line's date, then each member's part of
// it, and hands back rows only for what a member did not miss, and for each new date (whose time
// the first member's date lane reads, once). So a line no member wants costs one date and each
// member's literal checks, and nothing in JavaScript.
// A multi-line filter's buffered lane is a member too: its rows are the lines holding one of its
// literals, and it takes the lines between from the dates the group read (buffered-lane.ts).
// Members are grouped only while their date lanes read dates alike (same template program, same
// reach, same zone and TZ): then every member's own lane would have read the same dates and times.
// Each member ends in the state its own lane leaves: outcomes in order, the detector's bookkeeping
// for every line read, and the last line's date. A line off the path stops the group as it stops
// a lane; the caller reads it through each member's classify() and starts again after it.

import { BufferedLane, DateTrail } from './buffered-lane.ts';
import type { DateLane } from './date/detector.ts';
import { type Lane, lineBefore, lineEnd, RowTimes } from './lane.ts';
import { type NativeGroup, nativeGroup } from './native-regex.ts';
import type { Outcome, OutcomeSink } from './outcome.ts';

/**
 * Rows per native call (about 250 KiB for fifty filters, kept for the next call); a line takes at
 * most one per member and one for its date, and most take one or none.
 */
const ROWS = 1024;

/**
 * A member: a lane, or a multi-line filter's buffered lane, which the group hands the lines holding
 * its literals and the dates it read, for the lines between (buffered-lane.ts).
 */
export type MemberLane = Lane | BufferedLane;

/** Where each member's prefregex and failregex spans start in a row, after the date's. */
type Member = { readonly prefAt: number; readonly failAt: number } & (
  | { readonly lane: Lane; readonly buffered: undefined }
  /** `buffered`: the lane, when it is a buffered one. */
  | { readonly lane: BufferedLane; readonly buffered: BufferedLane }
);

export class GroupLane {
  readonly #native: NativeGroup;
  readonly #lanes: readonly MemberLane[];
  #rows = new Int32Array(0);
  #last = new Int32Array(0);

  private constructor(native: NativeGroup, lanes: readonly MemberLane[]) {
    this.#native = native;
    this.#lanes = lanes;
  }

  /** A group of these lanes (two or more), or undefined without an addon that groups lanes. */
  static of(lanes: readonly MemberLane[]): GroupLane | undefined {
    if (lanes.length < 2) return undefined;
    const native = nativeGroup(lanes.map((l) => l.native));
    return native && new GroupLane(native, lanes);
  }

  /**
   * Lane.read for every member over buf[from, to), member i's outcomes to `sinks[i]`; returns where
   * it stopped: `to`, or the start of a line each member reads the ordinary way; -1, having read
   * nothing, when the members' date lanes do not read dates alike now. A member whose outcome
   * throws (a bug) costs that member the line, reported to `failed`.
   */
  read(
    buf: Buffer,
    from: number,
    to: number,
    now: number,
    maxLine: number,
    sinks: readonly OutcomeSink[],
    failed: (member: number, err: unknown) => void,
  ): number {
    const dates = this.#lanes.map((l) => l.dates());
    const first = dates[0];
    if (!first || !dates.every((d) => d !== undefined && alike(d, first))) return -1;
    const head = this.#native.head;
    const dateNumbers = 2 * first.matcher.names.length;
    const stride = head + dateNumbers + this.#native.extra;
    const members: Member[] = this.#lanes.map((lane) => {
      const prefAt = head + dateNumbers;
      const failAt = prefAt + 2 * lane.native.prefGroups;
      return lane instanceof BufferedLane
        ? { lane, buffered: lane, prefAt, failAt }
        : { lane, buffered: undefined, prefAt, failAt };
    });
    if (this.#rows.length < ROWS * stride) this.#rows = new Int32Array(ROWS * stride);
    if (this.#last.length < 5 + dateNumbers) this.#last = new Int32Array(5 + dateNumbers);
    const rows = this.#rows;
    const last = this.#last;
    let at = from;
    let lines = 0;
    // Each new date's time, as each member's lane reads it; and the last line read, for the state
    // each member's lane would leave (its bounds come from the scan, its date from the last new one).
    const times = new RowTimes(first, buf, head, now);
    const lastRead = times.last;
    // The dates read, kept only for buffered members' lines between their hits.
    const trail = members.some((m) => m.buffered) ? new DateTrail() : undefined;
    for (const m of members) m.buffered?.groupStart(from);
    for (;;) {
      const n = this.#native.scan(buf, at, to, first.matcher.handle, first.reach, maxLine, rows, last);
      const written = last[0]!;
      let line: string | undefined;
      let lineStart = -1;
      let invalid = -1;
      for (let r = 0; r < written; r++) {
        const o = r * stride;
        const start = rows[o]!;
        if (start !== lineStart) {
          lineStart = start;
          line = undefined;
        }
        const member = rows[o + 6]!;
        if (member === -1) {
          if (!times.read(rows, o)) {
            invalid = o;
            break;
          }
          line = times.line;
          trail?.add(start, lastRead.date, lastRead.dateEnd, lastRead.time);
          continue;
        }
        const m = members[member]!;
        if (m.buffered) {
          const hit = {
            start,
            end: rows[o + 1]!,
            next: rows[o + 2]!,
            date: lastRead.date,
            dateEnd: lastRead.dateEnd,
            time: lastRead.time,
          };
          try {
            m.buffered.groupHit(hit, buf, trail!, now, sinks[member]!);
          } catch (err) {
            failed(member, err);
          }
          continue;
        }
        line ??= buf.toString('latin1', start, rows[o + 1]!);
        let outcome: Outcome;
        try {
          outcome = m.lane.hitOutcome(rows, o, m.prefAt, m.failAt, line, lastRead.time, now);
        } catch (err) {
          failed(member, err);
          continue;
        }
        sinks[member]!(outcome, start, rows[o + 2]!, line);
      }
      if (invalid >= 0) {
        // No valid time: each member's lane stops there, and process() reads the line as undated.
        const stop = rows[invalid]!;
        const before = linesBetween(buf, at, stop);
        lines += before;
        if (before > 0) {
          // The line before it has the last valid date read.
          lastRead.start = lineBefore(buf, stop);
          lastRead.end = lineEnd(buf, lastRead.start, stop);
        }
        at = stop;
        break;
      }
      lines += n;
      if (n > 0) {
        lastRead.start = last[2]!;
        lastRead.end = last[3]!;
        at = last[4]!;
      }
      // Stopped at a line off the path, or read to `to`.
      if (last[1] === 1 || at >= to || n === 0) break;
    }
    for (let i = 0; i < members.length; i++) {
      const buffered = members[i]!.buffered;
      if (!buffered) continue;
      try {
        buffered.groupEnd(buf, at, trail!, now, sinks[i]!);
      } catch (err) {
        failed(i, err);
      }
    }
    if (lines > 0)
      for (let i = 0; i < members.length; i++) members[i]!.lane.ended(dates[i]!, buf, lastRead, lines, now);
    return at;
  }
}

/** Whether two date lanes read every date and time alike. */
function alike(a: DateLane, b: DateLane): boolean {
  return a.matcher === b.matcher && a.reach === b.reach && a.zone === b.zone;
}

/** Complete lines in buf[from, to) (`to` starts a line). */
function linesBetween(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let at = buf.indexOf(0x0a, from); at >= 0 && at < to; at = buf.indexOf(0x0a, at + 1)) n++;
  return n;
}
