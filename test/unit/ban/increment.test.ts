import { describe, expect, it } from 'vitest';
import { DEFAULT_FORMULA } from '../../../src/ban/formula.ts';
import { type IncrementSettings, nextBantime, parseIncrementOptions } from '../../../src/ban/increment.ts';

function settingsOf(options: Record<string, string>): IncrementSettings {
  const r = parseIncrementOptions((key) => options[key]);
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.settings;
}

const ON = { 'bantime.increment': 'true' };
const noRandom = () => 0;
const MIN = 60_000;
const DAY = 86_400_000;
const table = (s: IncrementSettings, baseMs: number | null, counts: number[]) =>
  counts.map((c) => nextBantime(baseMs, c, s, noRandom));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Expected tables come from python3 running fail2ban's own expressions (jail.py setBanTimeExtra).
describe('nextBantime', () => {
  it('doubles per earlier ban with the default formula, up to 2^20 (counts 0..25)', () => {
    const s = settingsOf(ON);
    expect(table(s, 10 * MIN, range(0, 25))).toEqual(
      [
        600, 1200, 2400, 4800, 9600, 19200, 38400, 76800, 153600, 307200, 614400, 1228800, 2457600, 4915200,
        9830400, 19660800, 39321600, 78643200, 157286400, 314572800, 629145600, 629145600, 629145600,
        629145600, 629145600, 629145600,
      ].map((s) => s * 1000),
    );
  });

  it('walks the multipliers by ban count and repeats the last one', () => {
    const s = settingsOf({ ...ON, 'bantime.multipliers': '1 5 30 60 300 720 1440 2880' });
    expect(table(s, MIN, range(0, 11))).toEqual(
      [60, 300, 1800, 3600, 18000, 43200, 86400, 172800, 172800, 172800, 172800, 172800].map((s) => s * 1000),
    );
  });

  it('prefers multipliers over a formula', () => {
    const s = settingsOf({ ...ON, 'bantime.multipliers': '1 3', 'bantime.formula': 'ban.Time * 100' });
    expect(table(s, MIN, [1, 2])).toEqual([3 * MIN, 3 * MIN]);
  });

  it('caps at maxtime (fail2ban observertestcase: 1d, then 12h)', () => {
    const day = settingsOf({ ...ON, 'bantime.maxtime': '1d' });
    expect(table(day, 10 * MIN, range(1, 10))).toEqual(
      [1200, 2400, 4800, 9600, 19200, 38400, 76800, 86400, 86400, 86400].map((s) => s * 1000),
    );
    const half = settingsOf({ ...ON, 'bantime.maxtime': '12h' });
    expect(table(half, 10 * MIN, range(5, 8))).toEqual([19200, 38400, 43200, 43200].map((s) => s * 1000));
  });

  it('scales by factor, plain or as arithmetic', () => {
    const two = settingsOf({ ...ON, 'bantime.factor': '2', 'bantime.maxtime': '1d' });
    expect(table(two, 10 * MIN, range(1, 8))).toEqual(
      [2400, 4800, 9600, 19200, 38400, 76800, 86400, 86400].map((s) => s * 1000),
    );
    const odd = settingsOf({ ...ON, 'bantime.factor': '1.33', 'bantime.maxtime': '1d' });
    expect(table(odd, 10 * MIN, range(1, 8))).toEqual(
      [1596, 3192, 6384, 12768, 25536, 51072, 86400, 86400].map((s) => s * 1000),
    );
    const mult = settingsOf({ ...ON, 'bantime.factor': '2', 'bantime.multipliers': '1 5' });
    expect(nextBantime(MIN, 1, mult, noRandom)).toBe(10 * MIN);
  });

  it('runs the exponential formula from jail.conf in seconds, rounding to whole ms', () => {
    const s = settingsOf({
      ...ON,
      'bantime.formula': 'ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)',
      'bantime.factor': '2.0 / 2.885385',
    });
    expect(table(s, 10 * MIN, range(0, 10))).toEqual([
      600000, 1200001, 2400006, 4800018, 9600047, 19200117, 38400281, 76800656, 153601500, 307203375,
      614407501,
    ]);
  });

  it('adds up to rndtime after the cap, from the injected random source', () => {
    const s = settingsOf({ ...ON, 'bantime.maxtime': '1h', 'bantime.rndtime': '5m' });
    expect(nextBantime(10 * MIN, 1, s, () => 0)).toBe(20 * MIN);
    expect(nextBantime(10 * MIN, 1, s, () => 0.5)).toBe(20 * MIN + 150_000);
    expect(nextBantime(10 * MIN, 9, s, () => 0.999)).toBe(60 * MIN + 299_700);
    for (const r of [0, 0.1, 0.37, 0.9999]) {
      const ms = nextBantime(10 * MIN, 2, s, () => r)!;
      expect(ms).toBeGreaterThanOrEqual(40 * MIN);
      expect(ms).toBeLessThan(45 * MIN);
    }
  });

  it('gives a first ban the base time: no formula, cap or random part', () => {
    const s = settingsOf({ ...ON, 'bantime.maxtime': '5m', 'bantime.rndtime': '5m' });
    expect(nextBantime(10 * MIN, 0, s, () => 0.9)).toBe(10 * MIN);
  });

  it('keeps forever forever, and a zero base as it is', () => {
    const s = settingsOf({ ...ON, 'bantime.rndtime': '5m' });
    expect(table(s, null, [0, 1, 30])).toEqual([null, null, null]);
    expect(nextBantime(0, 3, s, () => 0.5)).toBe(0);
  });

  it('keeps the base when increment is off', () => {
    const s = settingsOf({ 'bantime.multipliers': '1 5', 'bantime.rndtime': '5m' });
    expect(table(s, 10 * MIN, [0, 1, 5])).toEqual([10 * MIN, 10 * MIN, 10 * MIN]);
  });

  it('never lets a formula go below the base, but a multiplier can', () => {
    const half = settingsOf({ ...ON, 'bantime.formula': 'ban.Time / 2' });
    expect(nextBantime(10 * MIN, 3, half, noRandom)).toBe(10 * MIN);
    const mult = settingsOf({ ...ON, 'bantime.multipliers': '1 0' });
    expect(nextBantime(10 * MIN, 1, mult, noRandom)).toBe(0);
  });

  it('lets maxtime below bantime shorten repeat bans, as fail2ban does', () => {
    const s = settingsOf({ ...ON, 'bantime.maxtime': '5m' });
    expect(table(s, 10 * MIN, [0, 1])).toEqual([10 * MIN, 5 * MIN]);
  });

  it('keeps the base when the formula fails at run time', () => {
    const s = settingsOf({ ...ON, 'bantime.formula': 'ban.Time * 4 / (ban.Count - 2)' });
    expect(table(s, 10 * MIN, [1, 2, 3])).toEqual([10 * MIN, 10 * MIN, 40 * MIN]);
    const errors: string[] = [];
    expect(nextBantime(10 * MIN, 2, s, noRandom, (e) => errors.push(e))).toBe(10 * MIN);
    expect(errors).toEqual(['division by zero at column 14']);
  });

  it('reads a fractional second base as a float', () => {
    const s = settingsOf(ON);
    expect(nextBantime(1500, 2, s, noRandom)).toBe(6000);
    expect(nextBantime(2 * DAY, 1, s, noRandom)).toBe(4 * DAY);
  });
});

describe('parseIncrementOptions', () => {
  it("applies fail2ban's defaults when nothing is set (blank counts as unset)", () => {
    const r = parseIncrementOptions((key) => (key === 'bantime.maxtime' ? '  ' : undefined));
    expect(r).toEqual({
      settings: {
        enabled: false,
        factor: 1,
        formula: expect.objectContaining({ source: DEFAULT_FORMULA }),
        multipliers: undefined,
        maxtimeMs: undefined,
        rndtimeMs: undefined,
        overalljails: false,
      },
    });
  });

  it('reads every option', () => {
    const s = settingsOf({
      'bantime.increment': 'yes',
      'bantime.factor': '2.0 / 2.885385',
      'bantime.multipliers': ' 1  5 30 ',
      'bantime.maxtime': '1w',
      'bantime.rndtime': '10m',
      'bantime.overalljails': 'True',
    });
    expect(s).toEqual({
      enabled: true,
      factor: 0.6931484013398559,
      formula: undefined,
      multipliers: [1, 5, 30],
      maxtimeMs: 7 * DAY,
      rndtimeMs: 10 * MIN,
      overalljails: true,
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('reports every problem at once', () => {
    const values: Record<string, string> = {
      'bantime.increment': 'maybe',
      'bantime.factor': '-2',
      'bantime.formula': 'ban.Time * foo',
      'bantime.maxtime': '0',
      'bantime.rndtime': 'soon',
      'bantime.overalljails': '2',
    };
    expect(parseIncrementOptions((key) => values[key])).toEqual({
      problems: [
        { option: 'bantime.increment', message: 'expected true or false, got "maybe"' },
        { option: 'bantime.overalljails', message: 'expected true or false, got "2"' },
        {
          option: 'bantime.factor',
          message: 'expected a positive number or arithmetic such as 2.0 / 2.885385, got "-2"',
        },
        { option: 'bantime.formula', message: 'unknown name foo at column 12' },
        { option: 'bantime.maxtime', message: 'expected a positive duration such as 30m, 1d or 1w, got "0"' },
        { option: 'bantime.rndtime', message: 'expected a duration such as 30m, 1d or 1w, got "soon"' },
      ],
    });
  });

  it('explains a factor that does not evaluate and multipliers that are not whole numbers', () => {
    const values: Record<string, string> = { 'bantime.factor': '1 / 0', 'bantime.multipliers': '1 2.5 x' };
    expect(parseIncrementOptions((key) => values[key])).toEqual({
      problems: [
        {
          option: 'bantime.factor',
          message:
            'expected a positive number or arithmetic such as 2.0 / 2.885385, got "1 / 0": division by zero at column 3',
        },
        {
          option: 'bantime.multipliers',
          message: 'expected whole numbers separated by spaces, such as 1 5 30 60, got "1 2.5 x"',
        },
      ],
    });
  });

  it('ignores the formula when multipliers are set, as fail2ban never compiles it then', () => {
    expect(
      settingsOf({ 'bantime.multipliers': '1 2', 'bantime.formula': 'nonsense(' }).formula,
    ).toBeUndefined();
  });
});
