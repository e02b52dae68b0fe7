// datepattern values: strptime directives, anchors and prefixes, special values, several patterns,
// logtimezone, and the errors a bad pattern reports.
process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import { type DateDetector, patternDetector } from '../../../../src/filter/date/index.ts';
import { NOW, PATTERN_SAMPLES } from './samples.ts';

function detector(datepattern: string | string[], timezone?: string): DateDetector {
  const d = patternDetector(datepattern, timezone === undefined ? {} : { timezone });
  if ('error' in d) throw new Error(d.error);
  return d;
}

describe('datepattern', () => {
  it.each(PATTERN_SAMPLES.map((s) => [s.datepattern, s.line, s] as const))('%s on "%s"', (_p, _l, s) => {
    const hit = detector(s.datepattern, s.timezone).find(s.line, NOW);
    expect(hit && s.line.slice(hit.start, hit.end)).toBe(s.text);
    expect(hit?.time).toBe(s.ms);
  });

  it('bounds the date by word boundaries unless {UNB}', () => {
    expect(detector('%H:%M:%S').find('abc03:04:05def', NOW)).toBeUndefined();
    expect(detector('%H:%M:%S').find('03:04:05', NOW)).toMatchObject({ start: 0, end: 8 });
  });

  it('anchors ^ and {^LN-BEG} at the line start', () => {
    expect(detector('^%H:%M:%S').find('x 03:04:05', NOW)).toBeUndefined();
    expect(detector('{^LN-BEG}%H:%M:%S').find('x 03:04:05', NOW)).toBeUndefined();
    expect(detector('{^LN-BEG}%H:%M:%S').find('-[03:04:05]', NOW)).toMatchObject({ start: 2 });
    expect(detector('{^LN-BEG}%H:%M:%S').find('-[(03:04:05]', NOW)).toBeUndefined();
  });

  it('anchors $ at the line end', () => {
    expect(detector('%H:%M:%S$').find('03:04:05 x', NOW)).toBeUndefined();
  });

  it('takes the first of several patterns that matches', () => {
    const d = detector('%Y-%m-%d %H:%M:%S\n^%H:%M:%S');
    expect(d.find('2026-01-02 03:04:05', NOW)?.time).toBe(1767323045000);
    expect(d.find('03:04:05 x', NOW)?.time).toBe(1795748645000);
    expect(detector(['%Y-%m-%d %H:%M:%S', '^%H:%M:%S']).find('03:04:05', NOW)?.time).toBe(1795748645000);
  });

  it('{NONE} finds an empty date, which stands for now', () => {
    expect(detector('{NONE}').find('Jan 23 21:59:59 x', NOW)).toEqual({ time: NOW, start: 0, end: 0 });
  });

  it('{^LN-BEG} alone keeps only the line-start defaults', () => {
    expect(detector('{^LN-BEG}').find('x Jan 23 21:59:59', NOW)).toBeUndefined();
  });

  it('reads month and day names in any case and two-digit years in this century', () => {
    expect(detector('%a %b %d %y %H:%M:%S').find('fri jAN 02 26 03:04:05', NOW)?.time).toBe(1767323045000);
  });

  it('reads 12 AM as midnight and 12 PM as noon', () => {
    const d = detector('%Y-%m-%d %I:%M:%S %p');
    expect(d.find('2026-01-02 12:04:05 AM', NOW)?.time).toBe(Date.UTC(2026, 0, 2, 0, 4, 5));
    expect(d.find('2026-01-02 12:04:05 pm', NOW)?.time).toBe(Date.UTC(2026, 0, 2, 12, 4, 5));
    expect(detector('%Y-%m-%d %I:%M:%S').find('2026-01-02 12:04:05', NOW)?.time).toBe(
      Date.UTC(2026, 0, 2, 0, 4, 5),
    );
  });

  it('has no time for impossible dates or zones outside the table', () => {
    expect(detector('%Y-%m-%d %H:%M:%S').find('2026-02-30 03:04:05', NOW)).toBeUndefined();
    expect(detector('%Y-%m-%d %H:%M:%S').find('2026-01-02 03:04:60', NOW)).toBeUndefined();
    expect(detector('%H:%M:%S %Z').find('03:04:05 XYZ', NOW)).toBeUndefined();
    expect(detector('%b %d %H:%M:%S %z').find('Jan 02 03:04:05 utc', NOW)).toBeUndefined();
  });

  it('takes a time-only date later today as yesterday', () => {
    expect(detector('%H:%M').find('12:30', NOW)?.time).toBe(Date.UTC(2026, 10, 26, 12, 30));
  });
});

describe('datepattern separators repeated by a backreference', () => {
  it('reads (?P<s>[-/])...(?P=s) as the same separator class in both places', () => {
    const d = detector('%Y(?P<s>[-/])%m(?P=s)%d %H:%M:%S');
    expect(d.find('2026-11-27 10:24:12 x', NOW)?.time).toBe(Date.UTC(2026, 10, 27, 10, 24, 12));
    expect(d.find('2026/11/27 10:24:12 x', NOW)?.time).toBe(Date.UTC(2026, 10, 27, 10, 24, 12));
  });
});

describe('datepattern errors', () => {
  it.each([
    ['%Q', /unknown directive "%Q"/],
    ['%H:%M%', /unknown directive/],
    ['%ExQ', /unknown directive "%ExQ"/],
    ['(?<=x)%H:%M', /datepattern "\(\?<=x\)%H:%M"/],
    ['%H:%M\n%H:%M', /given twice/],
    ['%H %H', /duplicate/],
    ['', /empty/],
  ])('%s', (p, message) => {
    const d = patternDetector(p);
    expect('error' in d && d.error).toMatch(message);
  });

  it('rejects a logtimezone it cannot use', () => {
    const d = patternDetector('%H:%M', { timezone: 'Europe/Paris' });
    expect('error' in d && d.error).toMatch(/logtimezone/);
  });
});
