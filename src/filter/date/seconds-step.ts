// A busy log's consecutive dates are mostly a second or a few apart: they differ in their seconds
// alone. Such a date's time is the last one's moved by the difference, read from the line's bytes
// without making the line a string or reading its fields: half the lines of the bench's auth.log
// bring a new date, and reading one cost about as much as the rest of the line's path.
// Exact, because every other character of the date is the last one's, so is every other field:
//  - same civil minute, so the same zone offset (transitions fall on whole minutes since 1970);
//  - same `now` and TZ, so the same "this year" (and the same local rules);
//  - a year-less date takes last year when this year's lands more than a day ahead of now
//    (strptime.ts): that choice cannot change within 59 seconds unless the date is within a minute
//    of that line, on either choice, so such a date is read the full way (as is one over a year old).
// Only templates with a day and a month (or a year) of their own qualify: a time-only date's day
// is chosen against now to the second.

import type { NativeTemplate, Template } from './template.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
// A civil year moved by one, in ms: 365 or 366 days, give or take a change of zone offset.
const YEAR_LOW_MS = 365 * DAY_MS - 2 * 3_600_000;
const DIGIT_0 = 0x30;

const isDigit = (c: number) => c >= DIGIT_0 && c <= DIGIT_0 + 9;

export class SecondsStep {
  // Group numbers of %S, and of the fields that say whether a match has a date and a year.
  readonly #group: number;
  readonly #days: readonly number[];
  readonly #months: readonly number[];
  readonly #years: readonly number[];
  // The last date read: its bytes, where %S is in them, its seconds and time, whether it had a
  // year of its own, and what it was read against.
  #date = Buffer.alloc(64);
  #length = -1;
  #secondAt = 0;
  #second = 0;
  #time = 0;
  #yearless = false;
  #now = Number.NaN;
  #tz: string | undefined;

  private constructor(group: number, days: number[], months: number[], years: number[]) {
    this.#group = group;
    this.#days = days;
    this.#months = months;
    this.#years = years;
  }

  /** A step for a calendar template with one %S and fields of a date; undefined for any other. */
  static for(t: Template, n: NativeTemplate): SecondsStep | undefined {
    if (t.kind !== 'strptime') return undefined;
    const f = t.fields;
    const groups = (keys: string) => f.flatMap((k, i) => (keys.includes(k) ? [n.slots[i]!] : []));
    const seconds = groups('S');
    // Fields read against now, or standing in for the date: the full way.
    if (seconds.length !== 1 || seconds[0]! < 0 || groups('jUWs').length > 0) return undefined;
    const days = groups('d').filter((g) => g >= 0);
    const months = groups('mbB').filter((g) => g >= 0);
    if (days.length === 0 || months.length === 0) return undefined;
    return new SecondsStep(
      seconds[0]!,
      days,
      months,
      groups('Yy').filter((g) => g >= 0),
    );
  }

  /**
   * The time of the date found with these spans (from `at`, relative to the line at `lineStart`
   * in buf), when it is the last date read with other seconds; else undefined.
   */
  step(
    buf: Buffer,
    lineStart: number,
    spans: Int32Array,
    at: number,
    now: number,
    tz: string | undefined,
  ): number | undefined {
    if (now !== this.#now || tz !== this.#tz) return undefined;
    const start = spans[at + 2]!;
    const end = spans[at + 3]!;
    const s = spans[at + 2 * this.#group]!;
    if (
      end - start !== this.#length ||
      s - start !== this.#secondAt ||
      spans[at + 2 * this.#group + 1]! !== s + 2
    )
      return undefined;
    const from = lineStart + start;
    const date = this.#date;
    const sAt = this.#secondAt;
    for (let i = 0; i < this.#length; i++) {
      if (i === sAt || i === sAt + 1) continue;
      if (buf[from + i] !== date[i]) return undefined;
    }
    const hi = buf[from + sAt]!;
    const lo = buf[from + sAt + 1]!;
    if (!isDigit(hi) || !isDigit(lo)) return undefined;
    const second = (hi - DIGIT_0) * 10 + (lo - DIGIT_0);
    if (second > 59) return undefined;
    const time = this.#time + (second - this.#second) * 1000;
    if (!this.#safe(time, now)) return undefined;
    this.#second = second;
    this.#time = time;
    return time;
  }

  /** Remembers a date read the full way (`line` holds it as a string, from the line's start). */
  keep(line: string, spans: Int32Array, at: number, now: number, tz: string | undefined, time: number): void {
    this.#length = -1;
    const start = spans[at + 2]!;
    const end = spans[at + 3]!;
    const s = spans[at + 2 * this.#group]!;
    if (start < 0 || s < start || spans[at + 2 * this.#group + 1]! !== s + 2 || end - start > 64) return;
    const took = (g: number) => spans[at + 2 * g]! >= 0;
    // A date of this match's own (a template's day or month may be optional), with or without a year.
    if (!this.#days.some(took) || !this.#months.some(took)) return;
    const hi = line.charCodeAt(s);
    const lo = line.charCodeAt(s + 1);
    if (!isDigit(hi) || !isDigit(lo) || time <= 0) return;
    for (let i = start; i < end; i++) {
      const c = line.charCodeAt(i);
      if (c > 0x7f) return;
      this.#date[i - start] = c;
    }
    this.#length = end - start;
    this.#secondAt = s - start;
    this.#second = (hi - DIGIT_0) * 10 + (lo - DIGIT_0);
    this.#time = time;
    this.#yearless = !this.#years.some(took);
    this.#now = now;
    this.#tz = tz;
  }

  /**
   * Whether `time` (the last time moved by under a minute) is what the full reading gives: always
   * with a year; without one, when neither choice of year is within a minute of a day past now.
   * (The year group's part in the match is the last date's: every character but the seconds is.)
   */
  #safe(time: number, now: number): boolean {
    if (time <= 0) return false;
    if (!this.#yearless) return true;
    const limit = now + DAY_MS;
    // This year's reading stays at or before the limit; last year's, a year back, stays after it.
    return time <= limit - MINUTE_MS && time + YEAR_LOW_MS - MINUTE_MS > limit;
  }
}
