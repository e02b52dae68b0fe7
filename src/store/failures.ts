// The failures table. Writes are queued and committed with the log position (or journal cursor)
// just past the lines that produced them, in one transaction, when the reader saves it: at most
// FLUSH_INTERVAL_MS after the read. A SIGKILL then never leaves a failure on disk whose line will
// be read again at the next start (counted twice), nor loses one whose line will not: the lines
// after the saved position are read again. A backstop writes what no position save carried
// (usedns lookups that finished after their line's save) BACKSTOP_MS after it was queued.
// Reads see the queue without writing it, so they never put failures ahead of their position.
// The queue is kept by jail and address: a ban's read takes its address's failures, and a ban
// drops them, without walking the rest (the file's rows are in no particular order either).

import type { Address } from '../core/address.ts';
import type { Failure } from '../core/types.ts';
import type { Db } from './db.ts';
import { inTimeOrder } from './time-order.ts';

/** How often readers save positions, and failures with them (tail/reader-pool SAVE_INTERVAL_MS). */
export const FLUSH_INTERVAL_MS = 1_000;
/**
 * Later than a position save can come (FLUSH_INTERVAL_MS after a read, plus the read itself),
 * so the backstop does not write failures ahead of the position of their line.
 */
export const BACKSTOP_MS = FLUSH_INTERVAL_MS * 1.5;
/** A flood of distinct addresses must not grow the queue without bound: write at this size. */
const MAX_QUEUED = 20_000;

/** A jail and an address whose failures a ban ends: a ban's order has both. */
export interface Cleared {
  readonly jail: string;
  readonly address: Address;
}

interface Row {
  address: string;
  family: 4 | 6;
  time: number;
  line: string;
}

/** Queued failures by jail, then address, each address's in the order they came. */
type Queue = Map<string, Map<string, Failure[]>>;

const failureTime = (f: Failure): number => f.time;

const hasKeys = (o: Readonly<Record<string, string>> | undefined): o is Readonly<Record<string, string>> => {
  for (const _ in o) return true;
  return false;
};

export class FailureTable {
  readonly #insert;
  readonly #since;
  readonly #of;
  readonly #clear;
  readonly #purge;
  readonly #shift;
  readonly #writeMany;
  readonly #backstopMs: number;
  readonly #settle: () => void;
  readonly #db: Db;
  #queue: Queue = new Map();
  /** Failures queued. */
  #queued = 0;
  #backstop: NodeJS.Timeout | undefined;

  /** `settle` runs before each read or write of the file (the store's writer thread, sqlite-store.ts). */
  constructor(db: Db, options: { backstopMs?: number; settle?: () => void } = {}) {
    this.#db = db;
    this.#backstopMs = options.backstopMs ?? BACKSTOP_MS;
    this.#settle = options.settle ?? (() => {});
    this.#insert = db.prepare(
      'INSERT INTO failures (jail, address, family, time, line, fields) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#since = db.prepare<[string, number], Row>(
      'SELECT address, family, time, line FROM failures WHERE jail = ? AND time >= ? ORDER BY time',
    );
    this.#of = db.prepare<[string, string, number], { time: number; line: string; fields: string | null }>(
      'SELECT time, line, fields FROM failures WHERE jail = ? AND address = ? AND time >= ? ORDER BY time',
    );
    this.#clear = db.prepare('DELETE FROM failures WHERE jail = ? AND address = ?');
    this.#purge = db.prepare('DELETE FROM failures WHERE time < ?');
    this.#shift = db.prepare('UPDATE failures SET time = time + ? WHERE jail = ?');
    this.#writeMany = db.transaction((queue: Queue) => {
      for (const [jail, inJail] of queue)
        for (const failures of inJail.values())
          for (const f of failures) {
            const fields = hasKeys(f.fields) ? JSON.stringify(f.fields) : null;
            this.#insert.run(jail, f.address.text, f.address.family, f.time, f.line, fields);
          }
    });
  }

  record(jail: string, failure: Failure): void {
    let inJail = this.#queue.get(jail);
    if (!inJail) {
      inJail = new Map();
      this.#queue.set(jail, inJail);
    }
    const key = failure.address.text;
    const same = inJail.get(key);
    if (same) same.push(failure);
    else inJail.set(key, [failure]);
    if (++this.#queued >= MAX_QUEUED) this.flush();
    else if (!this.#backstop) {
      // A usedns lookup may finish after shutdown closed the file: nothing to write it to then.
      this.#backstop = setTimeout(() => this.#db.open && this.flush(), this.#backstopMs);
      this.#backstop.unref();
    }
  }

  /** Writes the queue; inside the caller's transaction when there is one. */
  flush(): void {
    clearTimeout(this.#backstop);
    this.#backstop = undefined;
    if (this.#queued === 0) return;
    this.#settle();
    const queue = this.#queue;
    this.#queue = new Map();
    this.#queued = 0;
    this.#writeMany(queue);
  }

  /** The jail's failures at or after `since`, written and queued, oldest first. */
  since(jail: string, since: number): Failure[] {
    this.#settle();
    const written = this.#since
      .all(jail, since)
      .map((r): Failure => ({ address: { text: r.address, family: r.family }, time: r.time, line: r.line }));
    const queued: Failure[] = [];
    for (const failures of this.#queue.get(jail)?.values() ?? [])
      for (const f of failures)
        if (f.time >= since) queued.push({ address: f.address, time: f.time, line: f.line });
    return inTimeOrder([...written, ...queued], failureTime);
  }

  /**
   * The address's failures in the jail at or after `since`, written and queued, oldest first,
   * with their captures. When the queue alone holds `counted` of them the file is not read: the
   * failures of a burst are all still queued (written a second later at most), and a ban storm
   * would otherwise make an indexed read per ban.
   */
  of(jail: string, address: Address, since: number, counted: number): Failure[] {
    const queued: Failure[] = [];
    for (const f of this.#queue.get(jail)?.get(address.text) ?? []) {
      if (f.time >= since) queued.push(f);
    }
    if (queued.length >= counted) return inTimeOrder(queued, failureTime);
    this.#settle();
    const written = this.#of.all(jail, address.text, since).map(
      (r): Failure => ({
        address,
        time: r.time,
        line: r.line,
        ...(r.fields === null ? {} : { fields: JSON.parse(r.fields) as Record<string, string> }),
      }),
    );
    return inTimeOrder([...written, ...queued], failureTime);
  }

  clear(jail: string, address: Address): void {
    this.#settle();
    this.#drop(jail, address.text);
    this.#clear.run(jail, address.text);
  }

  /**
   * Drops the queued failures of these addresses, once the bans' transaction (which deleted their
   * written rows, ban-rows.ts) has committed: a failed commit leaves the queue as it was.
   */
  clearQueued(cleared: Iterable<Cleared>): void {
    for (const { jail, address } of cleared) this.#drop(jail, address.text);
  }

  /** Deletes failures older than `before`: nothing can count them any more. */
  purge(before: number): void {
    this.#settle();
    this.#rewrite((f) => (f.time >= before ? f : undefined));
    this.#purge.run(before);
  }

  /** Moves the jail's failure times by `deltaMs` (the wall clock stepped; see core/clock.ts). */
  shift(jail: string, deltaMs: number): void {
    this.#settle();
    this.#rewrite((f, j) => (j === jail ? { ...f, time: f.time + deltaMs } : f));
    this.#shift.run(deltaMs, jail);
  }

  /** Drops the jail's queued failures of the address. */
  #drop(jail: string, address: string): void {
    const inJail = this.#queue.get(jail);
    const failures = inJail?.get(address);
    if (!failures) return;
    inJail!.delete(address);
    this.#queued -= failures.length;
  }

  /** Each queued failure as `change` gives it back (undefined: dropped), after a purge or a clock step. */
  #rewrite(change: (f: Failure, jail: string) => Failure | undefined): void {
    this.#queued = 0;
    for (const [jail, inJail] of this.#queue)
      for (const [address, failures] of inJail) {
        const kept: Failure[] = [];
        for (const f of failures) {
          const g = change(f, jail);
          if (g) kept.push(g);
        }
        if (kept.length > 0) inJail.set(address, kept);
        else inJail.delete(address);
        this.#queued += kept.length;
      }
  }
}
