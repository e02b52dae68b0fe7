import { describe, expect, it } from 'vitest';
import { parseBantime, parseDuration } from '../../../src/config/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['600', 600_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['604800', 604_800_000],
    ['1h 30m', 5_400_000],
    ['1h30m', 5_400_000],
    ['2 hours', 7_200_000],
    ['60*60*24', 86_400_000],
    ['1mo', 2_629_800_000],
    ['1y', 31_557_600_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'five', '10 parsecs', '1h-', '-5'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseBantime', () => {
  it('reads -1 (and any negative) as forever', () => {
    expect(parseBantime('-1')).toBeNull();
    expect(parseBantime(' -100 ')).toBeNull();
  });
  it('reads the tutorial value 2592000 as 30 days', () => {
    expect(parseBantime('2592000')).toBe(30 * 86_400_000);
  });
});
