// One pass of a compiled filter over lines, tallied the way banctl regex reports it. The same code
// reads a whole log, or one part of it on a worker thread (regex-parts.ts), so both count alike.

import { readSync } from 'node:fs';
import type { Filter } from '../filter/compile.ts';
import { LineSplitter } from '../tail/line-splitter.ts';

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
}

export const emptyTally = (failregexes: number): Tally => ({
  lines: 0,
  matched: 0,
  ignored: 0,
  missed: 0,
  dated: 0,
  hits: new Array<number>(failregexes).fill(0),
});

export function addTally(into: Tally, part: Tally): void {
  into.lines += part.lines;
  into.matched += part.matched;
  into.ignored += part.ignored;
  into.missed += part.missed;
  into.dated += part.dated;
  part.hits.forEach((h, i) => {
    into.hits[i] = (into.hits[i] ?? 0) + h;
  });
}

/** Returns a line handler that classifies, tallies, and hands failing lines to `failing` when given. */
export function tallier(
  filter: Filter,
  now: number,
  tally: Tally,
  failing?: (f: Failing) => void,
): (text: string) => void {
  return (text) => {
    const line = ++tally.lines;
    const r = filter.classify(text, now);
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

// The daemon drops lines over 64 KiB; here every line keeps its number, so the cap is far higher.
const MAX_LINE = 64 * 1024 * 1024;
const CHUNK = 1 << 20;

/**
 * The lines of bytes [from, to) of an open file, cut as the daemon cuts them, each handed to `each`
 * as soon as it is cut (no generator: it cost 40 ns a line). `from` and `to` sit just after a
 * newline (or at 0 / the end); a last line without its newline counts when `to` is the file's end
 * (`last`), as in fail2ban-regex.
 */
export function readRange(
  fd: number,
  from: number,
  to: number,
  last: boolean,
  each: (line: string) => void,
): void {
  const splitter = new LineSplitter(MAX_LINE);
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let at = from; at < to; ) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, to - at), at);
    if (n <= 0) break;
    splitter.push(buf.subarray(0, n), each);
    at += n;
  }
  if (!last) return;
  splitter.push(Buffer.from('\n'), (line) => {
    if (line !== '') each(line);
  });
}
