// Where to begin a log read from its head at first sight: fail2ban starts such a file at its first
// line dated at or after now − findtime (FileFilter.seekToTime), as older lines cannot count. A
// binary search by the dates of the lines each probe reads, that errs early: the answer is 0 or the
// end of a line dated over DISORDER_MS before `since`, and an undated line never moves it, so lines
// out of order by less than that never hide an in-window line. Out-of-order dates beyond that are
// looked for where the search went and at evenly spaced samples of what it would skip; any found
// means the order cannot be trusted, and the file is read whole. Only reading every line could find
// them all (a single misdated line among old ones): that is the cost this avoids.

import type { FileHandle } from 'node:fs/promises';
import { endBeforeCr } from '../core/line-end.ts';
import type { SkipOld } from '../jail/ports.ts';
import { MAX_LINE_BYTES } from './line-splitter.ts';

/** How far dates may run backwards: several writers, the hour a DST fall-back repeats. */
export const DISORDER_MS = 3_600_000;
/** Probes spread over the part to skip, looking for out-of-order dates there. */
const SAMPLES = 16;
/**
 * Dated lines a probe reads at most: a few, for more than one date per read; not a buffer's worth
 * (hundreds, at ~2.5 us each), as every old line's end is an answer and the search halves anyway.
 */
const DATES_PER_PROBE = 16;

/**
 * The offset of a line start in the file's first `size` bytes such that every line before it is
 * dated before `since` (given the rules above): 0 when that cannot be told, the end of the last
 * complete line when every line is.
 */
export async function seekByDate(handle: FileHandle, size: number, skip: SkipOld): Promise<number> {
  const probe = new Prober(handle, size, skip);
  // lo: 0 or the end of a line dated before `old`, which any answer must be; the search looks for
  // the last one before the first line dated after, in [lo, hi].
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const p = await probe.at(lo, mid, hi);
    if (p.lastOldEnd === undefined) hi = mid;
    else {
      lo = p.lastOldEnd;
      // The probe dated every line from there to the first recent one: none of them was.
      if (p.recent) hi = lo;
    }
  }
  if (lo === 0) return 0;
  // An in-window line before `lo` runs back from the line `lo` ends: look where the search did not.
  for (let k = 1; k < SAMPLES; k++) await probe.at(0, Math.floor((lo * k) / SAMPLES), lo);
  return probe.ranBack() ? 0 : lo;
}

interface Probe {
  /** The end of the last line dated before `old` met before the first line dated after it. */
  readonly lastOldEnd: number | undefined;
  /** Whether the probe stopped at a line dated at or after `old`. */
  readonly recent: boolean;
}

const NOTHING: Probe = { lastOldEnd: undefined, recent: false };

class Prober {
  readonly #handle: FileHandle;
  readonly #size: number;
  readonly #old: number;
  readonly #timeOf: SkipOld['timeOf'];
  // The longest line a reader delivers, with the newline before it (see at) and its own.
  readonly #buf = Buffer.allocUnsafe(MAX_LINE_BYTES + 2);
  /** Every dated line read: where it starts, and its date. */
  readonly #seen: { at: number; time: number }[] = [];

  constructor(handle: FileHandle, size: number, { since, timeOf }: SkipOld) {
    this.#handle = handle;
    this.#size = size;
    this.#old = since - DISORDER_MS;
    this.#timeOf = timeOf;
  }

  /**
   * Dates the lines starting in [mid, hi), from the first line start at or after `mid` (`lo`
   * starts a line), up to the first one dated at or after `old`, DATES_PER_PROBE dates, or the end
   * of one buffer.
   */
  async at(lo: number, mid: number, hi: number): Promise<Probe> {
    // Elsewhere than `lo`, a line starts just after a newline, which may be at mid − 1.
    const from = mid === lo ? lo : mid - 1;
    const buf = this.#buf;
    const { bytesRead } = await this.#handle.read(buf, 0, Math.min(buf.length, this.#size - from), from);
    const bytes = buf.subarray(0, bytesRead);
    let pos = 0;
    if (from !== lo) {
      pos = bytes.indexOf(0x0a) + 1;
      // Inside a line longer than any a reader delivers: nothing to date here.
      if (pos === 0) return NOTHING;
    }
    let lastOldEnd: number | undefined;
    let dates = 0;
    // A line that does not end inside the buffer is too long to date (or to be delivered).
    for (let nl = bytes.indexOf(0x0a, pos); nl >= 0 && from + pos < hi; nl = bytes.indexOf(0x0a, pos)) {
      const time = this.#timeOf(bytes.toString('utf8', pos, endBeforeCr(bytes, pos, nl)));
      if (time !== undefined) {
        this.#seen.push({ at: from + pos, time });
        if (time >= this.#old) return { lastOldEnd, recent: true };
        lastOldEnd = from + nl + 1;
        if (++dates === DATES_PER_PROBE) break;
      }
      pos = nl + 1;
    }
    return { lastOldEnd, recent: false };
  }

  /** Whether a line read is dated more than DISORDER_MS after one read later in the file. */
  ranBack(): boolean {
    const seen = this.#seen.sort((a, b) => a.at - b.at);
    let latest = Number.NEGATIVE_INFINITY;
    for (const s of seen) {
      if (s.time < latest - DISORDER_MS) return true;
      latest = Math.max(latest, s.time);
    }
    return false;
  }
}
