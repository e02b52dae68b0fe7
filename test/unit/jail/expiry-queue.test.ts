// The retirement times of a jail's bans on one timer: due order, ties in insertion order, removal
// anywhere in the heap, and a timer armed exactly while something is queued.

import { describe, expect, it } from 'vitest';
import { ExpiryQueue } from '../../../src/jail/expiry-queue.ts';
import { FakeClock } from '../../support/fakes.ts';

function queue() {
  const clock = new FakeClock(1_000_000);
  const due: string[] = [];
  const q = new ExpiryQueue<string>(clock, (item) => due.push(item));
  return { clock, due, q };
}

describe('ExpiryQueue', () => {
  it('calls back each item when its time comes, earliest first, ties in the order added', () => {
    const { clock, due, q } = queue();
    for (const [item, ms] of [
      ['c', 300],
      ['a', 100],
      ['b1', 200],
      ['b2', 200],
    ] as const)
      q.add(item, ms);
    clock.advance(99);
    expect(due).toEqual([]);
    clock.advance(1);
    expect(due).toEqual(['a']);
    clock.advance(150);
    expect(due).toEqual(['a', 'b1', 'b2']);
    clock.advance(50);
    expect(due).toEqual(['a', 'b1', 'b2', 'c']);
    expect(q.size).toBe(0);
  });

  it('keeps one timer, armed only while something is queued', () => {
    const { clock, q } = queue();
    expect(clock.pending).toBe(0);
    const later = q.add('later', 500);
    q.add('sooner', 100);
    expect(clock.pending).toBe(1);
    clock.advance(100);
    expect(clock.pending).toBe(1);
    q.remove(later);
    expect(clock.pending).toBe(0);
  });

  it('forgets a removed item wherever it stands, and ignores a second removal', () => {
    const { clock, due, q } = queue();
    const entries = Array.from({ length: 50 }, (_, i) => q.add(`i${i}`, ((i * 37) % 50) * 10));
    const gone = new Set([3, 17, 25, 49, 0]);
    for (const i of gone) q.remove(entries[i]!);
    q.remove(entries[3]!);
    clock.advance(1_000);
    const want = entries
      .map((e, i) => ({ item: e.item, due: e.due, i }))
      .filter(({ i }) => !gone.has(i))
      .sort((a, b) => a.due - b.due || a.i - b.i)
      .map((e) => e.item);
    expect(due).toEqual(want);
  });

  it('counts monotonic time: a wall-clock step neither hastens nor delays an item', () => {
    const { clock, due, q } = queue();
    q.add('x', 1_000);
    clock.jump(10_000);
    clock.advance(999);
    expect(due).toEqual([]);
    clock.jump(-20_000);
    clock.advance(1);
    expect(due).toEqual(['x']);
  });

  it('lets a callback add and remove items', () => {
    const clock = new FakeClock(0);
    const due: string[] = [];
    let other: ReturnType<ExpiryQueue<string>['add']> | undefined;
    const q: ExpiryQueue<string> = new ExpiryQueue(clock, (item) => {
      due.push(item);
      if (item === 'first') {
        q.add('added', 10);
        if (other) q.remove(other);
      }
    });
    q.add('first', 10);
    other = q.add('removed', 15);
    clock.advance(100);
    expect(due).toEqual(['first', 'added']);
    expect(clock.pending).toBe(0);
  });

  it('clear() drops everything and stops the timer', () => {
    const { clock, due, q } = queue();
    q.add('a', 10);
    q.add('b', 20);
    q.clear();
    expect(clock.pending).toBe(0);
    clock.advance(100);
    expect(due).toEqual([]);
    expect(q.size).toBe(0);
  });
});
