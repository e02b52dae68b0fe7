// The default detector: every fail2ban default template on a sample line, year resolution around
// New Year, preference for line-start dates, bounded work on huge lines, and junk that has no date.
process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import { defaultDetector } from '../../../../src/filter/date/index.ts';
import { defaultTemplates } from '../../../../src/filter/date/patterns.ts';
import { NOW, SAMPLES } from './samples.ts';

describe('default templates', () => {
  it.each(SAMPLES.map((s) => [s.template, s] as const))('%s', (_name, s) => {
    const hit = defaultDetector().find(s.line, NOW);
    expect(hit && s.line.slice(hit.start, hit.end)).toBe(s.text);
    expect(hit?.time).toBe(s.ms);
  });

  it('keeps working through a mixed log with one detector', () => {
    const d = defaultDetector();
    for (const s of [...SAMPLES, ...SAMPLES]) {
      const hit = d.find(s.line, NOW);
      expect(hit && s.line.slice(hit.start, hit.end), s.line).toBe(s.text);
      expect(hit?.time, s.line).toBe(s.ms);
    }
  });

  it('lists the seventeen templates after line-start copies of the fourteen unanchored ones', () => {
    const list = defaultTemplates();
    expect(list).toHaveLength(31);
    expect(list.slice(0, 14).every((t) => t.anchored && t.weight === 100)).toBe(true);
    expect(list.slice(14).every((t) => t.weight === 1)).toBe(true);
    expect(list.filter((t) => t.anchored)).toHaveLength(17);
  });
});

describe('year-less dates', () => {
  const at = (line: string, now: number) => defaultDetector().find(line, now)?.time;

  it('takes this year for a date in the past', () => {
    expect(at('Nov 27 10:24:12 host', NOW)).toBe(Date.UTC(2026, 10, 27, 10, 24, 12));
  });

  it('allows a day of clock skew into the future', () => {
    expect(at('Nov 28 11:00:00 host', NOW)).toBe(1795863600000);
  });

  it('moves a date more than a day ahead to last year', () => {
    expect(at('Nov 28 12:00:01 host', NOW)).toBe(1764331201000);
    expect(at('Dec 31 23:59:59 host', NOW)).toBe(1767225599000);
  });

  it('reads a December line on 1 January as last year', () => {
    const newYear = Date.UTC(2027, 0, 1, 0, 10, 0);
    expect(at('Dec 31 23:59:50 host', newYear)).toBe(1798761590000);
    expect(at('Jan  1 00:05:00 host', newYear)).toBe(1798761900000);
  });

  it('reads a 1 January line on 31 December as this year, as fail2ban does', () => {
    // fail2ban never moves a year-less date forward: a skewed clock puts it eleven months back.
    expect(at('Jan  1 00:00:30 host', Date.UTC(2026, 11, 31, 23, 59, 0))).toBe(1767225630000);
  });

  it('gives 29 February of a leap year and nothing when last year has none', () => {
    expect(at('Feb 29 12:00:00 host', Date.UTC(2024, 5, 1))).toBe(1709208000000);
    expect(at('Feb 29 12:00:00 host', Date.UTC(2025, 0, 1))).toBeUndefined();
  });
});

describe('preference', () => {
  it('prefers the date at the line start over one in the message', () => {
    const line = 'Jan 23 21:59:59 host app: retry at 2005-01-24 10:00:00';
    const hit = defaultDetector().find(line, NOW);
    expect(hit).toMatchObject({ start: 0, end: 15 });
  });

  it('skips up to two non-word characters before a line-start date', () => {
    expect(defaultDetector().find('[[2005-01-23 21:59:59]] x', NOW)).toMatchObject({ start: 2, end: 21 });
  });

  it('does not take a date out of the middle of a word', () => {
    expect(defaultDetector().find('id12005-01-23 21:59:59', NOW)).toBeUndefined();
    expect(defaultDetector().find('2005-01-23 21:59:59x', NOW)).toBeUndefined();
  });

  it('treats non-ASCII letters as word characters, as Python does', () => {
    expect(defaultDetector().find('é2005-01-23 21:59:59', NOW)).toBeUndefined();
    expect(defaultDetector().find('… 2005-01-23 21:59:59', NOW)).toMatchObject({ start: 2 });
  });

  it('keeps the preferences of each detector to itself', () => {
    const a = defaultDetector();
    const b = defaultDetector();
    a.find('host1 Jan 23 21:59:59 sshd: x', NOW);
    expect(b.find('2005-01-23 21:59:59 Jan 24 10:00:00', NOW)).toMatchObject({ start: 0, end: 19 });
    expect(a.find('host2 Jan 24 21:59:59 sshd: x', NOW)).toMatchObject({ start: 6, end: 21 });
  });

  it('finds the date where the previous line had it', () => {
    const d = defaultDetector();
    expect(d.find('host1 Jan 23 21:59:59 sshd: x', NOW)).toMatchObject({ start: 6, end: 21 });
    expect(d.find('host2 Jan 24 21:59:59 sshd: x', NOW)).toMatchObject({ start: 6, end: 21 });
    expect(d.find('Jan 25 21:59:59 sshd: x', NOW)).toMatchObject({ start: 0, end: 15 });
  });
});

describe('hostile input', () => {
  it('finds a leading date on a 10 MB line', () => {
    const line = `Nov 27 10:24:12 host ${'x'.repeat(10_000_000)}`;
    expect(defaultDetector().find(line, NOW)?.time).toBe(Date.UTC(2026, 10, 27, 10, 24, 12));
  });

  it('finds nothing in 10 MB of date-like junk', () => {
    for (const junk of [
      '1'.repeat(10_000_000),
      '2005-01-2321:59:59'.repeat(500_000),
      'Jan 1 '.repeat(1_000_000),
    ]) {
      expect(defaultDetector().find(junk, NOW)).toBeUndefined();
    }
  });

  it('bounds every line-start default to a short prefix', () => {
    for (const t of defaultTemplates().filter((x) => x.anchored)) expect(t.reach).toBeLessThan(300);
  });

  it('returns undefined for empty and dateless lines', () => {
    const d = defaultDetector();
    for (const line of ['', ' ', 'no date here', '99:99:99', '2005-13-45 25:61:61', 'Feb 30 12:00:00 x']) {
      expect(d.find(line, NOW)).toBeUndefined();
    }
  });
});
