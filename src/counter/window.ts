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

/**
 * One address's failures. Most failing addresses fail once or twice and never come back (a scan
 * walks through them), so a window with a single failure keeps it flat — no arrays, and the
 * failure's own fields object — which more than halves the memory a million counted addresses take.
 */
interface Window {
  readonly address: Address;
  /** The newest failure's time. */
  time: number;
  /** The only line while `more` is unset. */
  line: string;
  /** The captures so far, a later failure's values winning; never mutated (it may be shared). */
  fields: Readonly<Record<string, string>> | undefined;
  /** Set from the second failure on: times inside findtime (sorted) and the last matched lines. */
  more: { times: number[]; matches: string[] } | undefined;
}

const hasKeys = (o: Readonly<Record<string, string>> | undefined): o is Readonly<Record<string, string>> => {
  for (const _ in o) return true;
  return false;
};

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
    const w = this.#windows.get(key);
    const times = w ? (w.more?.times ?? [w.time]) : [];
    const matches = w ? (w.more?.matches ?? [w.line]) : [];
    let fields = w?.fields;
    if (hasKeys(failure.fields)) fields = fields ? { ...fields, ...failure.fields } : failure.fields;
    // Lines can arrive slightly out of order (several files); keep the window sorted.
    let at = times.length;
    while (at > 0 && times[at - 1]! > failure.time) at--;
    times.splice(at, 0, failure.time);
    matches.push(failure.line);
    if (matches.length > maxMatches) matches.shift();
    const newest = times[times.length - 1]!;
    while (times.length > 0 && times[0]! < newest - findtimeMs) times.shift();
    if (times.length > maxretry) times.shift();
    if (times.length >= maxretry) {
      this.#windows.delete(key);
      return {
        address: failure.address,
        failures: times.length,
        time: newest,
        matches,
        fields: fields ?? {},
      };
    }
    const flat = times.length === 1 && matches.length === 1;
    const next: Window = {
      address: w?.address ?? failure.address,
      time: newest,
      line: flat ? matches[0]! : '',
      fields,
      more: flat ? undefined : { times, matches },
    };
    this.#windows.set(key, next);
    return undefined;
  }

  /** Drops the address's window (it was banned by other means, or unbanned by an operator). */
  forget(address: Address): void {
    this.#windows.delete(address.text);
  }

  /** Drops windows whose newest failure is older than findtime; call now and then. */
  expire(now: number): void {
    const cutoff = now - this.#opts.findtimeMs;
    for (const [key, w] of this.#windows) {
      if (w.time < cutoff) this.#windows.delete(key);
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
