// Line dating, fail2ban's processLine rules: the backlog keeps its own dates and drops what is
// older than findtime; in operation a date more than 60 s off counts as now, with one warning a
// day that names the line; a journal's own timestamp is kept; nothing is dated after now.

import { describe, expect, it } from 'vitest';
import { LineTimes, MAX_DEVIATION_MS } from '../../../src/jail/line-time.ts';
import { captureLogger, type LogRecord } from '../../support/fakes.ts';

const NOW = 1_700_000_000_000;
const FINDTIME = 600_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function make() {
  const { log, records } = captureLogger('debug');
  const warnings = () => records.filter((r: LogRecord) => r.level === 40);
  return { times: new LineTimes(FINDTIME, log), warnings };
}

describe('LineTimes while the backlog is read', () => {
  it('keeps a line its own date, so a burst inside findtime ages as it would have live', () => {
    const { times } = make();
    expect(times.judge(NOW - 300_000, NOW, 'l', false)).toBe(NOW - 300_000);
    expect(times.judge(NOW - FINDTIME, NOW, 'l', false)).toBe(NOW - FINDTIME);
  });

  it('ignores a line older than findtime, warning once a day', () => {
    const { times, warnings } = make();
    expect(times.judge(NOW - 2 * HOUR, NOW, 'old 1', false)).toBeUndefined();
    expect(times.judge(NOW - 2 * HOUR, NOW + 1, 'old 2', false)).toBeUndefined();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ line: 'old 1', findtimeS: 600 });
    expect(times.judge(NOW - 2 * HOUR, NOW + DAY, 'old 3', false)).toBeUndefined();
    expect(warnings().map((w) => w.line)).toEqual(['old 1', 'old 3']);
  });

  it('dates no failure after now', () => {
    const { times } = make();
    expect(times.judge(NOW + 5 * HOUR, NOW, 'future', false)).toBe(NOW);
  });
});

describe('LineTimes in operation', () => {
  it('counts a line dated more than 60 s off as now, either way, warning once a day with the line', () => {
    const { times, warnings } = make();
    times.beginOperation();
    expect(times.operating).toBe(true);
    expect(times.judge(NOW - 3 * HOUR, NOW, 'three hours late', false)).toBe(NOW);
    expect(times.judge(NOW + 365 * DAY, NOW + 10, 'next year', false)).toBe(NOW + 10);
    expect(times.judge(NOW - 2 * 365 * DAY, NOW + 20, 'two years ago', false)).toBe(NOW + 20);
    expect(warnings()).toEqual([
      expect.objectContaining({ line: 'three hours late', deviationS: -10_800, cause: 'timezone' }),
    ]);
    times.judge(NOW + DAY - 120_000, NOW + DAY, 'two minutes late', false);
    expect(warnings()[1]).toMatchObject({ line: 'two minutes late', deviationS: -120, cause: 'latency' });
  });

  it('keeps a date within 60 s of the clock, and none after now', () => {
    const { times, warnings } = make();
    times.beginOperation();
    expect(times.judge(NOW - MAX_DEVIATION_MS, NOW, 'l', false)).toBe(NOW - MAX_DEVIATION_MS);
    expect(times.judge(NOW + 30_000, NOW, 'l', false)).toBe(NOW);
    expect(warnings()).toEqual([]);
  });

  // Before beginOperation, the same three-hour-old line is backlog and is dropped.
  it('no longer drops old lines: a live line is never older than findtime', () => {
    const { times } = make();
    expect(times.judge(NOW - 3 * HOUR, NOW, 'l', false)).toBeUndefined();
    times.beginOperation();
    expect(times.judge(NOW - 3 * HOUR, NOW, 'l', false)).toBe(NOW);
  });

  it("keeps a journal entry's own time, and drops one older than findtime", () => {
    const { times, warnings } = make();
    times.beginOperation();
    expect(times.judge(NOW - 300_000, NOW, 'j', true)).toBe(NOW - 300_000);
    expect(times.judge(NOW - 2 * HOUR, NOW, 'j', true)).toBeUndefined();
    expect(times.judge(NOW + HOUR, NOW, 'j', true)).toBe(NOW);
    expect(warnings().map((w) => w.msg)).toEqual([expect.stringMatching(/older than findtime/)]);
  });
});
