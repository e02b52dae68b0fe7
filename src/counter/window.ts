// Counts failures per address inside a sliding findtime window and says when one crosses
// maxretry. Pure and synchronous: time arrives as arguments. A failure exactly findtime older
// than the newest one still counts (fail2ban resets only when strictly older). Only times are
// kept: the matched lines are in the state file, and the jail reads them back at a ban. Each
// address keeps at most maxretry times, so memory per address is bounded whatever the log does.

import type { Address } from '../core/address.ts';
import type { Failure, Verdict } from '../core/types.ts';
import { SlotIndex } from './slot-index.ts';

export interface CounterOptions {
  readonly maxretry: number;
  readonly findtimeMs: number;
}

/** Slots the newest-time array starts with; it doubles as addresses arrive. */
const INITIAL_SLOTS = 1024;

/**
 * Most failing addresses fail once and never come back (a scan walks through them), so an
 * address is an entry of a SlotIndex, and its slot a number in one Float64Array: no object per
 * address or per failure. A million such addresses took 300 MiB of heap with their lines and an
 * object each, and take 24 MiB outside the heap this way (bench/figures/memory.mjs).
 */
export class FailureCounter {
  readonly #slots = new SlotIndex();
  /** Per slot: its address's newest failure time. */
  #newest = new Float64Array(INITIAL_SLOTS);
  /** Per slot with two failures or more inside findtime: their times, sorted. */
  readonly #times = new Map<number, number[]>();
  /** Slots released, for reuse; slots from #end on were never used. */
  readonly #free: number[] = [];
  #end = 0;
  readonly #opts: CounterOptions;
  #total = 0;
  /** When windows were last swept for expiry (record() sweeps once per findtime). */
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(opts: CounterOptions) {
    this.#opts = opts;
  }

  /**
   * Adds a failure seen at `now`. Returns a verdict when it is the maxretry-th inside findtime;
   * the address's window then starts afresh. Failures older than findtime are not counted.
   */
  record(failure: Failure, now: number): Verdict | undefined {
    const { maxretry, findtimeMs } = this.#opts;
    if (failure.time < now - findtimeMs) return undefined;
    // Addresses that failed once and never came back would stay until a `status` call: sweep them
    // while failures come in, once per findtime, so the counter holds at most about two findtimes
    // of addresses whatever asks for status (a sweep costs one pass over the slots).
    if (now - this.#sweptAt >= findtimeMs) {
      this.expire(now);
      this.#sweptAt = now;
    }
    this.#total++;
    const slot = this.#slots.get(failure.address);
    if (slot === undefined) {
      if (maxretry <= 1) return { address: failure.address, failures: 1, time: failure.time };
      this.#slots.set(failure.address, this.#take(failure.time));
      return undefined;
    }
    const times = this.#times.get(slot) ?? [this.#newest[slot]!];
    // Lines can arrive slightly out of order (several files); keep the window sorted.
    let at = times.length;
    while (at > 0 && times[at - 1]! > failure.time) at--;
    // In order (the usual case): a push; splice() makes an array of what it removed, every call.
    if (at === times.length) times.push(failure.time);
    else times.splice(at, 0, failure.time);
    const newest = times[times.length - 1]!;
    while (times[0]! < newest - findtimeMs) times.shift();
    if (times.length >= maxretry) {
      this.#slots.delete(failure.address);
      this.#release(slot);
      return { address: failure.address, failures: times.length, time: newest };
    }
    this.#newest[slot] = newest;
    if (times.length > 1) this.#times.set(slot, times);
    else this.#times.delete(slot);
    return undefined;
  }

  /** Drops the address's window (it was banned by other means, or unbanned by an operator). */
  forget(address: Address): void {
    const slot = this.#slots.get(address);
    if (slot === undefined) return;
    this.#slots.delete(address);
    this.#release(slot);
  }

  /** Drops windows whose newest failure is older than findtime; call now and then. */
  expire(now: number): void {
    const cutoff = now - this.#opts.findtimeMs;
    this.#slots.sweep((slot) => {
      if (this.#newest[slot]! >= cutoff) return false;
      this.#release(slot);
      return true;
    });
    // A scan that has passed gives its slots back, not only for reuse.
    if (this.#slots.size === 0 && this.#end > INITIAL_SLOTS) {
      this.#newest = new Float64Array(INITIAL_SLOTS);
      this.#free.length = 0;
      this.#end = 0;
    }
  }

  /** Addresses with at least one failure inside findtime of `now`. */
  currentlyFailed(now: number): number {
    this.expire(now);
    return this.#slots.size;
  }

  /** Addresses held in memory, expired or not (currentlyFailed counts those inside findtime). */
  get tracked(): number {
    return this.#slots.size;
  }

  /** Failures counted since this counter was created (restored ones included). */
  get totalFailed(): number {
    return this.#total;
  }

  #take(time: number): number {
    const slot = this.#free.pop() ?? this.#end++;
    if (slot === this.#newest.length) {
      const grown = new Float64Array(slot * 2);
      grown.set(this.#newest);
      this.#newest = grown;
    }
    this.#newest[slot] = time;
    return slot;
  }

  /** The slot is free again (its address is out of the index). */
  #release(slot: number): void {
    this.#times.delete(slot);
    this.#free.push(slot);
  }
}
