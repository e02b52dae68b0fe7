// Turns the fields a template captured into milliseconds since the epoch, as fail2ban does: a
// missing year is this year unless that lands more than a day ahead (then last year), a missing date
// is today unless that lands ahead (then yesterday). Zone: the line's own, else logtimezone, else TZ.

import { DAY_NAMES, DAYS, MONTH_NAMES, MONTHS } from './tokens.ts';
import type { Civil, WallClock } from './wall-clock.ts';
import { type Zone, zoneOffset } from './zone.ts';

const DAY_MS = 86_400_000;

/**
 * Named groups in pattern order, as two parallel lists: the field each reports (m for m_2) and its
 * text, undefined for a group that took no part in the match.
 */
export interface Fields {
  readonly keys: readonly string[];
  readonly values: readonly (string | undefined)[];
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
// %b as logs write it (Nov, nov, NOV) → month, without lower-casing each line's text.
const MONTH_OF = new Map(
  MONTHS.flatMap((m, i) =>
    [m, m.toUpperCase(), m[0]!.toUpperCase() + m.slice(1)].map((v) => [v, i + 1] as const),
  ),
);

// Days in `month` (1-12) of `year` (1-9999), proleptic Gregorian as Date.UTC counts them (which
// reads years 1-99 as 1901-1999, whose leap years fall alike); arithmetic, as a Date costs 0.1 us.
function daysIn(year: number, month: number): number {
  if (!(Number.isInteger(year) && year >= 1 && Number.isInteger(month) && month >= 1 && month <= 12)) {
    return new Date(Date.UTC(year, month, 0)).getUTCDate();
  }
  if (month !== 2) return MONTH_DAYS[month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

// Date of day `n` (1-based, may over- or underflow) of `year`.
function ordinal(year: number, n: number): Civil {
  const d = new Date(Date.UTC(2000, 0, n));
  d.setUTCFullYear(year, 0, n);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

// Day of the year from a week number (%U weeks start Sunday, %W Monday) and a weekday (Monday 0).
function fromWeek(year: number, week: number, weekday: number, mondayFirst: boolean): number {
  const days = new Date(Date.UTC(2000, 0, 1)).setUTCFullYear(year, 0, 1) / DAY_MS;
  const jan1 = (((days + 3) % 7) + 7) % 7; // 1 January 1970 was a Thursday; Monday is 0
  const first = mondayFirst ? jan1 : (jan1 + 1) % 7;
  const dow = mondayFirst ? weekday : (weekday + 1) % 7;
  if (week === 0) return 1 + dow - first;
  return 1 + ((7 - first) % 7) + 7 * (week - 1) + dow;
}

/**
 * Milliseconds since the epoch for `fields`, or undefined when they name no valid time (31 February,
 * hour 24, a zone outside fail2ban's table). `zone` is logtimezone, used when the line has no zone;
 * with 'local', `tz` is process.env.TZ as the caller read it for this line.
 */
export function fieldsToTime(
  fields: Fields,
  now: number,
  zone: Zone,
  clock: WallClock,
  tz: string | undefined,
): number | undefined {
  const { keys, values } = fields;
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let offset: number | undefined;
  let weekday: number | undefined;
  let julian: number | undefined;
  let week: { n: number; mondayFirst: boolean } | undefined;
  let epoch: number | undefined;
  for (let i = 0; i < keys.length; i++) {
    const v = values[i];
    if (v === undefined) continue;
    const key = keys[i];
    switch (key) {
      case 'y':
        year = 2000 + Number(v);
        break;
      case 'Y':
        year = Number(v);
        break;
      case 'm':
        month = Number(v);
        break;
      case 'b':
        month = MONTH_OF.get(v) ?? MONTHS.indexOf(v.toLowerCase()) + 1;
        break;
      case 'B':
        month = MONTH_NAMES.indexOf(v.toLowerCase()) + 1;
        break;
      case 'd':
        day = Number(v);
        break;
      case 'H':
        hour = Number(v);
        break;
      case 'I': {
        // No %p reads as AM; a %p group that took no part is an error in fail2ban.
        const p = keys.indexOf('p');
        if (p >= 0 && values[p] === undefined) return undefined;
        const pm = p >= 0 && values[p]!.toLowerCase() === 'pm';
        hour = (Number(v) % 12) + (pm ? 12 : 0);
        break;
      }
      case 'M':
        minute = Number(v);
        break;
      case 'S':
        second = Number(v);
        break;
      case 'f':
        ms = Number(v.padEnd(6, '0').slice(0, 3));
        break;
      case 'a':
        weekday = DAYS.indexOf(v.toLowerCase());
        break;
      case 'A':
        weekday = DAY_NAMES.indexOf(v.toLowerCase());
        break;
      case 'w':
        weekday = (Number(v) + 6) % 7;
        break;
      case 'j':
        julian = Number(v);
        break;
      case 'U':
      case 'W':
        week = { n: Number(v), mondayFirst: key === 'W' };
        break;
      case 'z':
      case 'Z':
        offset = v === 'Z' || v === 'UTC' || v === 'GMT' ? 0 : zoneOffset(v);
        if (offset === undefined) return undefined;
        break;
      case 's':
        epoch = Number(v) * 1000;
        break;
    }
  }
  if (epoch !== undefined) return epoch + ms;
  const lineZone: Zone = offset ?? zone;
  const assumeYear = year === undefined;
  const y = year ?? clock.today(now, lineZone, tz).year;
  let civil: Civil;
  let assumeToday = false;
  if (month !== undefined && day !== undefined) {
    civil = { year: y, month, day };
  } else {
    if (julian === undefined && week !== undefined && weekday !== undefined) {
      julian = fromWeek(y, week.n, weekday, week.mondayFirst);
    }
    if (julian !== undefined) {
      // A day of the year stands in for the date, and may fall in another year (day 366, day 0).
      civil = ordinal(y, julian);
    } else if (month === undefined && day === undefined) {
      civil = { ...clock.today(now, lineZone, tz), year: y };
      assumeToday = true;
    } else {
      return undefined; // a month without a day, or a day without a month
    }
  }
  if (!valid(civil) || hour > 23 || minute > 59 || second > 59) return undefined;
  let t = clock.instant(civil, hour, minute, second, lineZone, tz);
  if (assumeToday && t > now) {
    t = clock.instant({ ...civil, day: civil.day - 1 }, hour, minute, second, lineZone, tz);
  }
  if (assumeYear && t > now + DAY_MS) {
    const last = { ...civil, year: civil.year - 1 };
    if (!valid(last)) return undefined;
    t = clock.instant(last, hour, minute, second, lineZone, tz);
  }
  return t + ms;
}

const valid = (c: Civil) =>
  c.year >= 1 &&
  c.year <= 9999 &&
  c.month >= 1 &&
  c.month <= 12 &&
  c.day >= 1 &&
  c.day <= daysIn(c.year, c.month);
