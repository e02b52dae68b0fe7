// Wall-clock dates and times in a zone ↔ epoch milliseconds, with exactly the results of the Date
// calls they stand for. A fixed offset is arithmetic. The process zone (TZ) still goes through Date,
// once per minute of wall time: a minute whose seconds 0 and 59 lie 59 s apart holds no offset change
// (an offset is a step function with at most one step per minute), so its other seconds are the first
// plus s seconds; any other minute is converted second by second, as before. Caches are per instance
// and keyed on process.env.TZ, read once per conversion: tests change TZ while the process runs.

import type { Zone } from './zone.ts';

/** A calendar date; `day` may over- or underflow the month (it rolls over as in Date). */
export interface Civil {
  year: number;
  month: number; // 1-12
  day: number;
}

const DAY_MS = 86_400_000;
// Enough for the minutes of a few days of logs; past it the cache starts over.
const MINUTES_KEPT = 4096;

/**
 * Days from 1970-01-01 to `day` (any integer) of `month` (1-12) of `year`, proleptic Gregorian: Date's
 * MakeDay without its 0-99 year mapping (setUTCFullYear has none either).
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5);
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468 + day - 1;
}

// The Date computations the arithmetic and the cache stand for (see instant).
function fixedByDate(c: Civil, h: number, mi: number, s: number, zone: number): number {
  const d = new Date(Date.UTC(2000, 0, 1, h, mi, s));
  d.setUTCFullYear(c.year, c.month - 1, c.day);
  return d.getTime() - zone * 60_000;
}

function localByDate(c: Civil, h: number, mi: number, s: number): number {
  const d = new Date(2000, 0, 1, h, mi, s);
  d.setFullYear(c.year, c.month - 1, c.day);
  // setFullYear keeps the wall-clock hour only if the day's offset matches 1 January 2000's.
  d.setHours(h, mi, s, 0);
  return d.getTime();
}

/** Conversions for one date detector; `tz` arguments are process.env.TZ as the caller read it. */
export class WallClock {
  #tz: string | undefined | null = null;
  // Per wall-clock minute: epoch ms of its second 0, or NaN when an offset changes inside it.
  readonly #minutes = new Map<number, number>();
  #lastKey = -1;
  #lastFirst = 0;
  #todayNow = Number.NaN;
  #todayZone: Zone | null = null;
  #todayTz: string | undefined | null = null;
  #today: Civil = { year: 0, month: 0, day: 0 };

  /** process.env.TZ: what 'local' means right now. */
  static tz(): string | undefined {
    return process.env.TZ;
  }

  /** Calendar date of `now` in `zone` (the instance's own object: copy it to change it). */
  today(now: number, zone: Zone, tz: string | undefined): Readonly<Civil> {
    if (now !== this.#todayNow || zone !== this.#todayZone || (zone === 'local' && tz !== this.#todayTz)) {
      let d: Date;
      if (zone === 'local') {
        d = new Date(now);
        this.#today = { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate() };
      } else {
        d = new Date(now + zone * 60_000);
        this.#today = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      }
      this.#todayNow = now;
      this.#todayZone = zone;
      this.#todayTz = tz;
    }
    return this.#today;
  }

  /**
   * Wall-clock time in `zone` → epoch ms, as fixedByDate or localByDate compute it. The fast ways take
   * integers only: h 0-23, mi and s 0-59, a month 1-12 of year 1-9999 and a day from 0 (it may roll
   * over); a user's pattern can capture anything else, which Date reads its own way.
   */
  instant(c: Civil, h: number, mi: number, s: number, zone: Zone, tz: string | undefined): number {
    const plain =
      isCount(c.year, 1, 9999) &&
      isCount(c.month, 1, 12) &&
      isCount(c.day, 0, 99) &&
      isCount(h, 0, 23) &&
      isCount(mi, 0, 59) &&
      isCount(s, 0, 59);
    if (zone !== 'local') {
      if (!plain) return fixedByDate(c, h, mi, s, zone);
      return (
        daysFromCivil(c.year, c.month, c.day) * DAY_MS +
        h * 3_600_000 +
        mi * 60_000 +
        s * 1000 -
        zone * 60_000
      );
    }
    if (!plain) return localByDate(c, h, mi, s);
    if (tz !== this.#tz) {
      this.#minutes.clear();
      this.#lastKey = -1;
      this.#tz = tz;
    }
    const key = (((c.year * 13 + c.month) * 100 + c.day) * 24 + h) * 60 + mi;
    // Consecutive lines mostly fall in one minute: check the last one before the map.
    let first = key === this.#lastKey ? this.#lastFirst : this.#minutes.get(key);
    if (first === undefined) {
      const zero = localByDate(c, h, mi, 0);
      first = localByDate(c, h, mi, 59) - zero === 59_000 ? zero : Number.NaN;
      if (this.#minutes.size >= MINUTES_KEPT) this.#minutes.clear();
      this.#minutes.set(key, first);
    }
    this.#lastKey = key;
    this.#lastFirst = first;
    return Number.isNaN(first) ? localByDate(c, h, mi, s) : first + s * 1000;
  }
}

const isCount = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** What WallClock.instant stands for, without arithmetic or cache: the reference for tests. */
export function instantByDate(c: Civil, h: number, mi: number, s: number, zone: Zone): number {
  return zone === 'local' ? localByDate(c, h, mi, s) : fixedByDate(c, h, mi, s, zone);
}
