// Counts failures per address inside a sliding findtime window and says when one crosses
// maxretry. Pure and synchronous: time arrives as arguments. A failure exactly findtime older
// than the newest one still counts (fail2ban resets only when strictly older). Only times are
// kept: the matched lines are in the state file, and the jail reads them back at a ban. Each
// address keeps at most maxretry times, so memory per address is bounded whatever the log does.

import type { Address } from '../core/address.ts';
import type { Failure, Verdict } from '../core/types.ts';
import { SlotIndex } from './slot-index.ts';
import { WindowRows } from './window-rows.ts';

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
  readonly #rows: WindowRows;
  /** A window being judged: a slot's times and the new one, at most maxretry of them. */
  readonly #window: Float64Array;
  /** Slots released, for reuse; slots from #end on were never used. */
  readonly #free: number[] = [];
  #end = 0;
  readonly #opts: CounterOptions;
  #total = 0;
  /** When windows were last swept for expiry (record() sweeps once per findtime). */
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(opts: CounterOptions) {
    this.#opts = opts;
    this.#rows = new WindowRows(opts.maxretry - 1, INITIAL_SLOTS);
    this.#window = new Float64Array(Math.max(2, opts.maxretry));
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
    const w = this.#window;
    const n = this.#rows.read(slot, this.#newest[slot]!, w);
    // Lines can arrive slightly out of order (several files); keep the window sorted.
    let at = n;
    for (; at > 0 && w[at - 1]! > failure.time; at--) w[at] = w[at - 1]!;
    w[at] = failure.time;
    const newest = w[n]!;
    let first = 0;
    while (w[first]! < newest - findtimeMs) first++;
    const count = n + 1 - first;
    if (count >= maxretry) {
      this.#slots.delete(failure.address);
      this.#release(slot);
      return { address: failure.address, failures: count, time: newest };
    }
    this.#newest[slot] = newest;
    if (count > 1) this.#rows.write(slot, w, first, n + 1);
    else this.#rows.clear(slot);
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
      this.#rows.reset(INITIAL_SLOTS);
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
      this.#rows.growSlots(grown.length);
    }
    this.#newest[slot] = time;
    return slot;
  }

  /** The slot is free again (its address is out of the index). */
  #release(slot: number): void {
    this.#rows.clear(slot);
    this.#free.push(slot);
  }
}
