// logtimezone values and zone text in lines: fixed offsets and fail2ban's abbreviation table.

import { describe, expect, it } from 'vitest';
import { parseTimezone, zoneOffset } from '../../../../src/filter/date/zone.ts';

describe('parseTimezone', () => {
  it.each([
    ['UTC', 0],
    ['GMT', 0],
    ['Z', 0],
    ['UTC+0200', 120],
    ['GMT-0100', -60],
    ['-03:00', -180],
    ['+05', 300],
    ['+0530', 330],
    ['CET', 60],
    ['CEST', 120],
    ['PDT', -420],
    ['NPT', 345],
    ['CET+0100', 120],
    [' UTC ', 0],
  ])('%s is %i minutes east', (text, minutes) => {
    expect(parseTimezone(text)).toBe(minutes);
  });

  it('reads local and an empty value as the process zone', () => {
    expect(parseTimezone('local')).toBe('local');
    expect(parseTimezone('')).toBe('local');
  });

  it.each([
    'utc',
    'Europe/Berlin',
    'XYZ',
    'UTC+2',
    'UTC+200',
    '+2500',
    'UTC+02:0',
    'AB',
    'ABCDEF',
    '+01:00:00',
  ])('rejects %s', (text) => {
    expect(parseTimezone(text)).toHaveProperty('error');
  });
});

describe('zoneOffset', () => {
  it('takes the hour from 00 to 19 and any two minute digits, as fail2ban', () => {
    expect(zoneOffset('+1959')).toBe(19 * 60 + 59);
    expect(zoneOffset('+2000')).toBeUndefined();
    expect(zoneOffset('-0099')).toBe(-99);
  });
});
