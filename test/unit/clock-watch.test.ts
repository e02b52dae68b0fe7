// The daemon checks the wall clock every second only while a jail holds records with wall-clock
// times (src/clock-watch.ts); with none, no timer runs at all.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClockWatch } from '../../src/clock-watch.ts';

class FakeJail {
  checks = 0;
  holdsRecords = false;
  checkClock(): boolean {
    this.checks++;
    return false;
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ClockWatch', () => {
  it('checks every jail each second while one holds records, and stops when none does', () => {
    const jails = [new FakeJail(), new FakeJail()];
    const watch = new ClockWatch(() => jails);
    jails[1]!.holdsRecords = true;
    watch.wake();
    vi.advanceTimersByTime(3_000);
    expect(jails.map((j) => j.checks)).toEqual([3, 3]);
    jails[1]!.holdsRecords = false;
    vi.advanceTimersByTime(1_000);
    expect(watch.running).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(jails.map((j) => j.checks)).toEqual([4, 4]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts again when a jail gains records, once however often it is woken', () => {
    const jail = new FakeJail();
    const watch = new ClockWatch(() => [jail]);
    watch.wake();
    vi.advanceTimersByTime(1_000);
    expect(watch.running).toBe(false);
    jail.holdsRecords = true;
    watch.wake();
    watch.wake();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(2_000);
    expect(jail.checks).toBe(3);
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
