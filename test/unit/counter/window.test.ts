import { describe, expect, it } from 'vitest';
import type { Address } from '../../../src/core/address.ts';
import { FailureCounter } from '../../../src/counter/window.ts';

const A: Address = { text: '192.0.2.1', family: 4 };
const B: Address = { text: '2001:db8::1', family: 6 };
const at = (address: Address, time: number) => ({ address, time, line: `fail ${time}` });

describe('FailureCounter', () => {
  it('bans on the maxretry-th failure inside findtime, not before', () => {
    const c = new FailureCounter({ maxretry: 3, findtimeMs: 1000 });
    expect(c.record(at(A, 0), 0)).toBeUndefined();
    expect(c.record(at(A, 400), 400)).toBeUndefined();
    // Times only: the lines come back from the state file (test/unit/jail/jail-evidence.test.ts).
    expect(c.record(at(A, 800), 800)).toEqual({ address: A, failures: 3, time: 800 });
  });

  it('counts a failure exactly findtime older than the newest, and not one a millisecond older', () => {
    const edge = new FailureCounter({ maxretry: 2, findtimeMs: 1000 });
    edge.record(at(A, 0), 0);
    expect(edge.record(at(A, 1000), 1000)).toBeDefined();

    const past = new FailureCounter({ maxretry: 2, findtimeMs: 1000 });
    past.record(at(A, 0), 0);
    expect(past.record(at(A, 1001), 1001)).toBeUndefined();
  });

  it('slides: old failures fall out while new ones keep counting', () => {
    const c = new FailureCounter({ maxretry: 3, findtimeMs: 1000 });
    c.record(at(A, 0), 0);
    c.record(at(A, 900), 900);
    expect(c.record(at(A, 1500), 1500)).toBeUndefined(); // 0 has left the window
    expect(c.record(at(A, 1800), 1800)).toBeDefined(); // 900, 1500, 1800
  });

  it('keeps addresses apart and starts a banned address afresh', () => {
    const c = new FailureCounter({ maxretry: 2, findtimeMs: 1000 });
    c.record(at(A, 0), 0);
    expect(c.record(at(B, 10), 10)).toBeUndefined();
    expect(c.record(at(A, 20), 20)).toBeDefined();
    expect(c.record(at(A, 30), 30)).toBeUndefined();
    expect(c.currentlyFailed(30)).toBe(2);
    expect(c.totalFailed).toBe(4);
  });

  it('ignores failures dated before now - findtime', () => {
    const c = new FailureCounter({ maxretry: 1, findtimeMs: 1000 });
    expect(c.record(at(A, 0), 1001)).toBeUndefined();
    expect(c.totalFailed).toBe(0);
    expect(c.record(at(A, 1), 1001)).toBeDefined();
  });

  it('expires idle windows', () => {
    const c = new FailureCounter({ maxretry: 5, findtimeMs: 1000 });
    c.record(at(A, 0), 0);
    expect(c.currentlyFailed(1000)).toBe(1);
    expect(c.currentlyFailed(1001)).toBe(0);
  });

  it('lets go of addresses that failed once, while failures come in, without a status call', () => {
    const c = new FailureCounter({ maxretry: 3, findtimeMs: 1000 });
    // A scan: a new address every millisecond for ten findtimes, each failing once.
    for (let t = 0; t < 10_000; t++) {
      const address: Address = { text: `10.0.${t >> 8}.${t & 255}`, family: 4 };
      c.record(at(address, t), t);
      // At most the addresses of the last two findtimes are held: one sweep per findtime.
      expect(c.tracked).toBeLessThanOrEqual(2001);
    }
    expect(c.tracked).toBeGreaterThan(900);
  });

  it('keeps many addresses apart while their slots grow, are released and reused', () => {
    const c = new FailureCounter({ maxretry: 2, findtimeMs: 1000 });
    const n = 5000;
    const address = (i: number): Address => ({ text: `10.0.${i >> 8}.${i & 255}`, family: 4 });
    for (let i = 0; i < n; i++) expect(c.record(at(address(i), i % 500), 500)).toBeUndefined();
    expect(c.currentlyFailed(500)).toBe(n);
    // Every other address crosses maxretry and leaves; the rest keep their first failure.
    for (let i = 0; i < n; i += 2) expect(c.record(at(address(i), 600), 600)?.failures).toBe(2);
    expect(c.currentlyFailed(600)).toBe(n / 2);
    // New addresses take the freed slots; the remaining ones still count from their own time.
    for (let i = n; i < 2 * n; i++) c.record(at(address(i), 700), 700);
    expect(c.record(at(address(1), 800), 800)).toMatchObject({ failures: 2, time: 800 });
    expect(c.record(at(address(n), 800), 800)).toMatchObject({ failures: 2, time: 800 });
    // Address 3 failed at 3: past findtime of 1004, its window has gone.
    expect(c.record(at(address(3), 1004), 1004)).toBeUndefined();
    expect(c.currentlyFailed(2000)).toBe(1);
    expect(c.currentlyFailed(2005)).toBe(0);
    // Emptied, the counter starts afresh and counts as before.
    c.record(at(A, 2100), 2100);
    expect(c.record(at(A, 2200), 2200)).toEqual({ address: A, failures: 2, time: 2200 });
  });

  it('accepts out-of-order lines', () => {
    const c = new FailureCounter({ maxretry: 3, findtimeMs: 1000 });
    c.record(at(A, 500), 500);
    c.record(at(A, 100), 500);
    expect(c.record(at(A, 300), 500)).toMatchObject({ failures: 3, time: 500 });
  });

  it('judges as a plain list of times per address would, while rows are taken, reused and slid', () => {
    // The reference: each address's times in an array, sorted, slid and cut as record() says.
    const reference = (maxretry: number, findtimeMs: number) => {
      const windows = new Map<string, number[]>();
      return (address: Address, time: number, now: number) => {
        if (time < now - findtimeMs) return undefined;
        const times = windows.get(address.text) ?? [];
        times.push(time);
        times.sort((x, y) => x - y);
        const newest = times.at(-1)!;
        while (times[0]! < newest - findtimeMs) times.shift();
        if (times.length >= maxretry) {
          windows.delete(address.text);
          return { address, failures: times.length, time: newest };
        }
        windows.set(address.text, times);
        return undefined;
      };
    };
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (const maxretry of [3, 5]) {
      const c = new FailureCounter({ maxretry, findtimeMs: 1000 });
      const expected = reference(maxretry, 1000);
      const addresses = Array.from(
        { length: 300 },
        (_, i): Address => ({ text: `10.1.${i >> 8}.${i & 255}`, family: 4 }),
      );
      let now = 0;
      let verdicts = 0;
      for (let i = 0; i < 20_000; i++) {
        now += Math.floor(random() * 3);
        // Now and then a line from a little earlier: several files, read in turn.
        const time = now - (random() < 0.1 ? Math.floor(random() * 200) : 0);
        const address = addresses[Math.floor(random() ** 2 * addresses.length)]!;
        const want = expected(address, time, now);
        expect(c.record(at(address, time), now)).toEqual(want);
        if (want) verdicts++;
      }
      expect(verdicts).toBeGreaterThan(1000);
    }
  });
});
