// Cuts a large log into parts that worker threads read at once, for a filter whose lines do not
// depend on each other (maxlines = 1, no <F-MLFID> sessions). What one line still takes from those
// before it is the date detector's state: which template won last, and the last date for an
// undated line. So each part is first read from up to WARM_BYTES earlier, for that state only,
// the lines there being counted by the part before. On a log of one date format (the usual log)
// the parts then find exactly the dates and failures a single pass finds; the tests compare both.

import { readSync } from 'node:fs';

export interface Part {
  /** Where the part's own lines start and end (byte offsets, each just after a newline). */
  readonly from: number;
  readonly to: number;
  /** Where reading starts: lines in [warm, from) only bring the date detector up to date. */
  readonly warm: number;
}

const WARM_BYTES = 64 * 1024;

/** Offset just after the first newline at or after `at` (the file's size when there is none). */
function lineStartFrom(fd: number, at: number, size: number): number {
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let pos = at; pos < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (n <= 0) break;
    const nl = buf.subarray(0, n).indexOf(0x0a);
    if (nl >= 0) return pos + nl + 1;
    pos += n;
  }
  return size;
}

/** `count` parts of about equal size, none empty; fewer when the file has fewer lines. */
export function planParts(fd: number, size: number, count: number): Part[] {
  const starts = [0];
  for (let k = 1; k < count; k++) {
    // A line starting exactly at the cut belongs to the part after it: look from one byte before.
    const at = lineStartFrom(fd, Math.max(0, Math.floor((size * k) / count) - 1), size);
    if (at > starts.at(-1)! && at < size) starts.push(at);
  }
  return starts.map((from, i) => {
    const to = starts[i + 1] ?? size;
    const warm = from <= WARM_BYTES ? 0 : lineStartFrom(fd, from - WARM_BYTES - 1, size);
    // A first line longer than the whole warm-up window: no warm-up lines then.
    return { from, to, warm: Math.min(warm, from) };
  });
}
