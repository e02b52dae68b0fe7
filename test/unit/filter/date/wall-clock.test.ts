// WallClock against the Date calls it stands for: fixed offsets as arithmetic, and the process zone
// through its per-minute cache, second by second around offset changes (summer time both ways, in
// both hemispheres, half-hour and odd historical offsets, a skipped day) and across TZ changes.

import { afterAll, describe, expect, it } from 'vitest';
import {
  type Civil,
  daysFromCivil,
  instantByDate,
  WallClock,
} from '../../../../src/filter/date/wall-clock.ts';

const previous = process.env.TZ;
afterAll(() => {
  if (previous === undefined) delete process.env.TZ;
  else process.env.TZ = previous;
});

// A small seeded generator, so a failure names inputs that come back.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Offset changes (UTC ms) of the process zone in [from, to), found hourly and refined to the second. */
function transitions(from: number, to: number): number[] {
  const off = (t: number) => new Date(t).getTimezoneOffset();
  const out: number[] = [];
  for (let t = from; t < to; t += 3_600_000) {
    if (off(t) === off(t + 3_600_000)) continue;
    let lo = t;
    let hi = t + 3_600_000;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (off(mid) === off(lo)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

/** Every second of the wall-clock minutes within `span` minutes of `at`, read at both offsets around it. */
function wallTimesAround(at: number, span: number): Array<[Civil, number, number, number]> {
  const out: Array<[Civil, number, number, number]> = [];
  const offsets = new Set([new Date(at - 1000).getTimezoneOffset(), new Date(at).getTimezoneOffset()]);
  for (const offset of offsets) {
    for (let m = -span; m <= span; m++) {
      const w = new Date(Math.floor((at - offset * 60_000) / 60_000) * 60_000 + m * 60_000);
      for (let s = 0; s < 60; s++) {
        const civil = { year: w.getUTCFullYear(), month: w.getUTCMonth() + 1, day: w.getUTCDate() };
        out.push([civil, w.getUTCHours(), w.getUTCMinutes(), s]);
      }
    }
  }
  return out;
}

describe('daysFromCivil', () => {
  it('counts days as setUTCFullYear does, rolled-over days and years below 100 included', () => {
    const next = random(1);
    for (let i = 0; i < 20_000; i++) {
      const year = 1 + Math.floor(next() * 9999);
      const month = 1 + Math.floor(next() * 12);
      const day = Math.floor(next() * 40);
      const d = new Date(0);
      d.setUTCFullYear(year, month - 1, day);
      expect(daysFromCivil(year, month, day) * 86_400_000, `${year}-${month}-${day}`).toBe(d.getTime());
    }
  });
});

describe('WallClock.instant', () => {
  it('is the Date computation for fixed offsets, odd inputs included', () => {
    const clock = new WallClock();
    const next = random(2);
    const odd = [Number.NaN, -1, 1.5, 24, 60, 100];
    const pick = (max: number) =>
      next() < 0.05 ? odd[Math.floor(next() * odd.length)]! : Math.floor(next() * max);
    for (let i = 0; i < 20_000; i++) {
      const c = { year: 1 + Math.floor(next() * 9999), month: 1 + Math.floor(next() * 12), day: pick(32) };
      const [h, mi, s] = [pick(24), pick(60), pick(60)];
      const zone = [0, 60, -300, 345, -570][i % 5]!;
      const want = instantByDate(c, h, mi, s, zone);
      expect(clock.instant(c, h, mi, s, zone, undefined), JSON.stringify([c, h, mi, s, zone])).toBe(want);
    }
  });

  // Summer time both ways in both hemispheres, a 30-minute change (Lord Howe), half-hour and 45-minute
  // zones, Amsterdam's +00:19:32 → +00:20 of 1937, Samoa's skipped 30 December 2011.
  const cases: Array<[string, number]> = [
    ['Europe/Zurich', 2026],
    ['Europe/Zurich', 1981],
    ['Australia/Sydney', 2026],
    ['America/Sao_Paulo', 2018],
    ['America/Santiago', 2026],
    ['Australia/Lord_Howe', 2026],
    ['America/St_Johns', 2026],
    ['Asia/Kathmandu', 1985],
    ['Europe/Amsterdam', 1937],
    ['Pacific/Apia', 2011],
  ];
  it.each(cases)('is the Date computation in %s around every offset change of %i', (zone, year) => {
    process.env.TZ = zone;
    const clock = new WallClock();
    const changes = transitions(Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1));
    expect(changes.length, 'offset changes found').toBeGreaterThan(0);
    for (const at of changes) {
      for (const [c, h, mi, s] of wallTimesAround(at, 90)) {
        const want = instantByDate(c, h, mi, s, 'local');
        expect(
          clock.instant(c, h, mi, s, 'local', WallClock.tz()),
          `${zone} ${JSON.stringify([c, h, mi, s])}`,
        ).toBe(want);
      }
    }
  });

  it('follows a TZ change between two calls', () => {
    const clock = new WallClock();
    const c = { year: 2026, month: 7, day: 1 };
    for (const zone of ['Europe/Zurich', 'Australia/Sydney', 'UTC', 'Europe/Zurich']) {
      process.env.TZ = zone;
      expect(clock.instant(c, 12, 30, 15, 'local', WallClock.tz())).toBe(
        instantByDate(c, 12, 30, 15, 'local'),
      );
      expect(clock.today(Date.UTC(2026, 6, 1, 23), 'local', WallClock.tz())).toEqual({
        year: 2026,
        month: 7,
        day: zone === 'Australia/Sydney' ? 2 : zone === 'UTC' ? 1 : 2,
      });
    }
  });
});
