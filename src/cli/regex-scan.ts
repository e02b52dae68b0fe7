// One pass of a compiled filter over lines, tallied the way banctl regex reports it. The same code
// reads a whole log, or one part of it on a worker thread (regex-parts.ts), so both count alike.

import { readSync } from 'node:fs';
import type { Filter, Outcome } from '../filter/compile.ts';
import { decodeLine, LineSplitter } from '../tail/line-splitter.ts';

/** A line that produced a failure: its number (from 1 within what was scanned), address or host, time. */
export interface Failing {
  readonly line: number;
  readonly ip: string | undefined;
  /** Seconds since the epoch, or null for a failure without a time. */
  readonly time: number | null;
  /** The failure named a host (<HOST> with usedns), not an address. */
  readonly host: boolean;
}

export interface Tally {
  lines: number;
  matched: number;
  ignored: number;
  missed: number;
  dated: number;
  /** Hits per failregex, by index. */
  readonly hits: number[];
  /** Lines each date template won, by template name. */
  readonly dates: Map<string, number>;
}

export const emptyTally = (failregexes: number): Tally => ({
  lines: 0,
  matched: 0,
  ignored: 0,
  missed: 0,
  dated: 0,
  hits: new Array<number>(failregexes).fill(0),
  dates: new Map(),
});

/** Adds the date template hits a filter counted since `before` (its dateHits() then) to the tally. */
export function tallyDates(
  tally: Tally,
  filter: Filter,
  before: readonly { readonly name: string; readonly hits: number }[] = [],
): void {
  const earlier = new Map(before.map((b) => [b.name, b.hits]));
  for (const { name, hits } of filter.dateHits()) {
    const n = hits - (earlier.get(name) ?? 0);
    if (n > 0) tally.dates.set(name, (tally.dates.get(name) ?? 0) + n);
  }
}

export function addTally(into: Tally, part: Tally): void {
  into.lines += part.lines;
  into.matched += part.matched;
  into.ignored += part.ignored;
  into.missed += part.missed;
  into.dated += part.dated;
  part.hits.forEach((h, i) => {
    into.hits[i] = (into.hits[i] ?? 0) + h;
  });
  for (const [name, n] of part.dates) into.dates.set(name, (into.dates.get(name) ?? 0) + n);
}

/** Tallies each outcome in turn as one more line; hands failing lines to `failing` when given. */
export function tallyOf(tally: Tally, failing?: (f: Failing) => void): (r: Outcome) => void {
  return (r) => {
    const line = ++tally.lines;
    if (r.dated) tally.dated++;
    if (r.outcome === 'ignored') tally.ignored++;
    if (r.outcome === 'missed') tally.missed++;
    if (r.outcome !== 'matched') return;
    tally.matched++;
    tally.hits[r.match.pattern]!++;
    if (!failing) return;
    const { address, host, time } = r.match;
    failing({
      line,
      ip: address?.text ?? host,
      time: time === undefined ? null : time / 1000,
      host: !address,
    });
  };
}

/** Returns a line handler that classifies, tallies, and hands failing lines to `failing` when given. */
export function tallier(
  filter: Filter,
  now: number,
  tally: Tally,
  failing?: (f: Failing) => void,
): (text: string) => void {
  const count = tallyOf(tally, failing);
  return (text) => count(filter.classify(text, now));
}

// The daemon drops lines over 64 KiB; here every line keeps its number, so the cap is far higher.
const MAX_LINE = 64 * 1024 * 1024;
const CHUNK = 1 << 20;

/**
 * Every line of bytes [from, to) of an open file, cut as the daemon cuts them, classified by
 * `filter` in order, each outcome handed to `each` as soon as it is known. `from` and `to` sit
 * just after a newline (or at 0 / the end); a last line without its newline counts when `to` is
 * the file's end (`last`), as in fail2ban-regex. Runs of lines go through filter.readLines (one
 * native pass, lane.ts); a line it leaves is decoded here and classified; `lane: false` leaves it
 * every line (the ordinary path, which the tests compare the lane with).
 */
export function classifyRange(
  fd: number,
  range: { from: number; to: number; last: boolean },
  filter: Filter,
  now: number,
  each: (r: Outcome) => void,
  { lane = true }: { lane?: boolean } = {},
): void {
  const { from, to, last } = range;
  const one = (text: string) => each(filter.classify(text, now));
  const buf = Buffer.allocUnsafe(CHUNK);
  // buf[0, have): the start of a line carried over from the last read, then what was read after it.
  let have = 0;
  let at = from;
  for (;;) {
    const n = at < to ? readSync(fd, buf, have, Math.min(buf.length - have, to - at), at) : 0;
    at += n;
    have += n;
    const end = have > 0 ? buf.lastIndexOf(0x0a, have - 1) + 1 : 0;
    let pos = 0;
    while (pos < end) {
      if (lane) pos = filter.readLines(buf, pos, end, now, MAX_LINE, each);
      if (pos >= end) break;
      const nl = buf.indexOf(0x0a, pos);
      one(decodeLine(buf, pos, nl));
      pos = nl + 1;
    }
    buf.copyWithin(0, end, have);
    have -= end;
    if (n === 0) break;
    // A line longer than the buffer: the line splitter takes it, as far as its newline.
    if (have === buf.length) have = longLine(fd, buf, have, { at, to, last }, one, (next) => (at = next));
  }
  // A last line without its newline, as the splitter gives it (an empty one is no line).
  if (last && have > 0) {
    const text = decodeLine(buf, 0, have);
    if (text !== '') one(text);
  }
}

/**
 * Hands the line that fills `buf` (and goes on past it) to a LineSplitter, reading on to its
 * newline; moves what follows the newline to the start of `buf` and returns its length. At the
 * end of the range, a last line without its newline counts when `last`.
 */
function longLine(
  fd: number,
  buf: Buffer,
  have: number,
  range: { at: number; to: number; last: boolean },
  one: (text: string) => void,
  moved: (at: number) => void,
): number {
  const splitter = new LineSplitter(MAX_LINE);
  splitter.push(buf.subarray(0, have), one);
  let at = range.at;
  for (;;) {
    const n = at < range.to ? readSync(fd, buf, 0, Math.min(buf.length, range.to - at), at) : 0;
    at += n;
    moved(at);
    if (n === 0) {
      if (range.last)
        splitter.push(Buffer.from('\n'), (line) => {
          if (line !== '') one(line);
        });
      return 0;
    }
    const nl = buf.subarray(0, n).indexOf(0x0a);
    if (nl < 0) {
      splitter.push(buf.subarray(0, n), one);
      continue;
    }
    splitter.push(buf.subarray(0, nl + 1), one);
    buf.copyWithin(0, nl + 1, n);
    return n - nl - 1;
  }
}
