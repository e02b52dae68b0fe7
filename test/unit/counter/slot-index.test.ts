import { describe, expect, it } from 'vitest';
import type { Address } from '../../../src/core/address.ts';
import { SlotIndex } from '../../../src/counter/slot-index.ts';

const v4 = (i: number): Address => ({
  text: `${(i >>> 24) & 255}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`,
  family: 4,
});
const v6 = (i: number): Address => ({ text: `2001:db8::${i.toString(16)}`, family: 6 });

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SlotIndex', () => {
  it('finds what was set, in both families, and nothing else', () => {
    const index = new SlotIndex();
    index.set(v4(0x0a000001), 7);
    index.set(v6(1), 8);
    expect(index.get(v4(0x0a000001))).toBe(7);
    expect(index.get(v6(1))).toBe(8);
    expect(index.get(v4(0x0a000002))).toBeUndefined();
    expect(index.get({ text: '255.255.255.255', family: 4 })).toBeUndefined();
    expect(index.size).toBe(2);
    index.delete(v4(0x0a000001));
    index.delete(v6(1));
    expect(index.get(v4(0x0a000001))).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it('agrees with a Map through growth, deletions that close probe runs, and sweeps', () => {
    const index = new SlotIndex();
    const model = new Map<string, number>();
    const next = random(42);
    // Few distinct addresses (high bits vary too), so sets, hits and deletions all happen often.
    const pick = () => {
      const n = Math.floor(next() * 6000);
      return n % 7 === 0 ? v6(n) : v4((n * 2654435761) | 0);
    };
    for (let step = 0; step < 60_000; step++) {
      const a = pick();
      const r = next();
      if (r < 0.55) {
        if (!model.has(a.text)) {
          model.set(a.text, step);
          index.set(a, step);
        }
      } else if (r < 0.9) {
        model.delete(a.text);
        index.delete(a);
      } else if (r < 0.9005) {
        const cut = step - 3000;
        for (const [text, slot] of model) if (slot < cut) model.delete(text);
        index.sweep((slot) => slot < cut);
      }
      expect(index.get(a)).toBe(model.get(a.text));
      expect(index.size).toBe(model.size);
    }
    for (let n = 0; n < 6000; n++) {
      for (const a of [v6(n), v4((n * 2654435761) | 0)]) expect(index.get(a)).toBe(model.get(a.text));
    }
  });

  it('holds a million addresses and lets a sweep empty it', () => {
    const index = new SlotIndex();
    const n = 1_000_000;
    for (let i = 0; i < n; i++) index.set(v4(0x0a000000 + i), i);
    expect(index.size).toBe(n);
    expect(index.get(v4(0x0a000000 + 123_456))).toBe(123_456);
    const kept: number[] = [];
    index.sweep((slot) => {
      if (slot % 100_000 !== 0) return true;
      kept.push(slot);
      return false;
    });
    expect(index.size).toBe(10);
    expect(kept.length).toBe(10);
    expect(index.get(v4(0x0a000000 + 300_000))).toBe(300_000);
    expect(index.get(v4(0x0a000000 + 300_001))).toBeUndefined();
  });
});
