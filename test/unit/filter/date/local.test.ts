// Dates without a zone in the process zone (Europe/Berlin here, with summer time), and logtimezone
// overriding it. Expected values computed with Python's datetime at fixed offsets.
process.env.TZ = 'Europe/Berlin';

import { describe, expect, it } from 'vitest';
import { defaultDetector, patternDetector } from '../../../../src/filter/date/index.ts';
import { NOW } from './samples.ts';

describe('local time', () => {
  it('reads a syslog date in winter time', () => {
    expect(defaultDetector().find('Nov 27 10:24:12 host', NOW)?.time).toBe(1795771452000);
  });

  it('reads a date in summer time', () => {
    expect(defaultDetector().find('2026-07-01 12:00:00 x', NOW)?.time).toBe(1782900000000);
  });

  it('lets logtimezone replace the process zone', () => {
    expect(defaultDetector({ timezone: 'UTC' }).find('2026-07-01 12:00:00 x', NOW)?.time).toBe(1782907200000);
    expect(defaultDetector({ timezone: 'CET' }).find('2026-07-01 12:00:00 x', NOW)?.time).toBe(1782903600000);
  });

  it('keeps a zone written in the line over logtimezone', () => {
    const d = patternDetector('%Y-%m-%d %H:%M:%S %z', { timezone: 'UTC+0500' });
    if ('error' in d) throw new Error(d.error);
    expect(d.find('2026-07-01 12:00:00 +0200', NOW)?.time).toBe(1782900000000);
  });

  it('ignores the zone for epoch and TAI64N values', () => {
    expect(defaultDetector().find('1138747232.345 x', NOW)?.time).toBe(1138747232345);
  });

  it('resolves a time-only date against today in the zone of the log', () => {
    // 14:30 at +02:00 is 12:30 UTC, after now (12:00 UTC), so it was yesterday. fail2ban compares
    // the UTC-shifted time with the local wall clock (13:00 here) and keeps today, 30 minutes ahead.
    expect(defaultDetector({ timezone: 'UTC+0200' }).find('14:30:00 x', NOW)?.time).toBe(
      Date.UTC(2026, 10, 26, 12, 30),
    );
  });

  it('throws on a logtimezone that is not a fixed offset', () => {
    expect(() => defaultDetector({ timezone: 'Europe/Berlin' })).toThrow(/logtimezone/);
  });
});
