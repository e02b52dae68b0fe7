// Reads the time out of a template's match: calendar fields, epoch seconds (or LEPOCH's
// milliseconds and microseconds), or a TAI64N label. Sub-second digits are kept to the millisecond,
// where fail2ban truncates calendar dates and TAI64N labels to the whole second.

import { type Found, fieldsOf } from './search.ts';
import { fieldsToTime } from './strptime.ts';
import type { Template } from './template.ts';
import type { WallClock } from './wall-clock.ts';
import type { Zone } from './zone.ts';

/** "1234567890[.123456]" seconds; with `long`, 13-14 digits are milliseconds and 16-17 microseconds. */
export function epochMs(text: string, long: boolean): number {
  const [whole = '', fraction = ''] = text.split('.');
  if (long && text.length >= 13) {
    // fail2ban: sixteen or more characters without a point are microseconds, else milliseconds.
    return text.length >= 16 && !text.includes('.') ? Number(whole.slice(0, -3)) : Number(whole);
  }
  return Number(whole) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
}

/** "@4000000037c219bf2ef02e94": TAI64 seconds label (offset 2^62) and nanoseconds, both hex. */
export function tai64nMs(text: string): number {
  // As fail2ban: the label's top nibble is dropped, not subtracted, and leap seconds are not removed.
  const seconds = Number.parseInt(text.slice(2, 17), 16);
  const nanos = Number.parseInt(text.slice(17, 25), 16);
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

/**
 * The match's time in ms, `now` for an empty date, undefined when the fields name no valid time.
 * `tz`: process.env.TZ as read for this line, when `zone` is 'local'.
 */
export function timeOf(
  t: Template,
  f: Found,
  now: number,
  zone: Zone,
  clock: WallClock,
  tz: string | undefined,
): number | undefined {
  // An empty date ({NONE}, or a pattern whose date is optional): fail2ban takes the line as current.
  if (f.start === f.end || t.kind === 'none') return now;
  switch (t.kind) {
    case 'epoch':
    case 'lepoch': {
      const text = f.group('epoch');
      return text === undefined ? undefined : epochMs(text, t.kind === 'lepoch');
    }
    case 'tai64n': {
      const text = f.group('tai64n');
      return text === undefined ? undefined : tai64nMs(text);
    }
    default:
      return fieldsToTime(fieldsOf(t, f), now, zone, clock, tz);
  }
}
