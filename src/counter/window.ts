// Counts failures per address inside a sliding findtime window and says when one crosses
// maxretry. Pure and synchronous: time arrives as arguments. A failure exactly findtime older
// than the newest one still counts (fail2ban resets only when strictly older). Each address
// keeps at most maxretry timestamps, so memory per address is bounded whatever the log does.

import type { Address } from '../core/address.ts';
import type { Failure, Verdict } from '../core/types.ts';

export interface CounterOptions {
  readonly maxretry: number;
  readonly findtimeMs: number;
  /** How many matched lines a verdict carries (for notifications); default 10. */
  readonly maxMatches?: number;
}

interface Window {
  address: Address;
  times: number[];
  matches: string[];
  fields: Record<string, string>;
}

export class FailureCounter {
  readonly #windows = new Map<string, Window>();
  readonly #opts: Required<CounterOptions>;
  #total = 0;

  constructor(opts: CounterOptions) {
    this.#opts = { maxMatches: 10, ...opts };
  }

  /**
   * Adds a failure seen at `now`. Returns a verdict when it is the maxretry-th inside findtime;
   * the address's window then starts afresh. Failures older than findtime are not counted.
   */
  record(failure: Failure, now: number): Verdict | undefined {
    const { maxretry, findtimeMs, maxMatches } = this.#opts;
    if (failure.time < now - findtimeMs) return undefined;
    this.#total++;
    const key = failure.address.text;
    let w = this.#windows.get(key);
    if (!w) {
      w = { address: failure.address, times: [], matches: [], fields: {} };
      this.#windows.set(key, w);
    }
    // Lines can arrive slightly out of order (several files); keep the window sorted.
    let at = w.times.length;
    while (at > 0 && w.times[at - 1]! > failure.time) at--;
    w.times.splice(at, 0, failure.time);
    w.matches.push(failure.line);
    if (failure.fields) Object.assign(w.fields, failure.fields);
    if (w.matches.length > maxMatches) w.matches.shift();
    const newest = w.times[w.times.length - 1]!;
    while (w.times.length > 0 && w.times[0]! < newest - findtimeMs) w.times.shift();
    if (w.times.length > maxretry) w.times.shift();
    if (w.times.length < maxretry) return undefined;
    this.#windows.delete(key);
    return {
      address: w.address,
      failures: w.times.length,
      time: newest,
      matches: w.matches,
      fields: w.fields,
    };
  }

  /** Drops the address's window (it was banned by other means, or unbanned by an operator). */
  forget(address: Address): void {
    this.#windows.delete(address.text);
  }

  /** Drops windows whose newest failure is older than findtime; call now and then. */
  expire(now: number): void {
    const cutoff = now - this.#opts.findtimeMs;
    for (const [key, w] of this.#windows) {
      if (w.times[w.times.length - 1]! < cutoff) this.#windows.delete(key);
    }
  }

  /** Addresses with at least one failure inside findtime of `now`. */
  currentlyFailed(now: number): number {
    this.expire(now);
    return this.#windows.size;
  }

  /** Failures counted since this counter was created (restored ones included). */
  get totalFailed(): number {
    return this.#total;
  }
}
