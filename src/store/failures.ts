// The failures table: writes are queued and committed together once per tick (one transaction
// for a burst of lines instead of one fsync per line); reads flush first so they see them.

import type { Address } from '../core/address.ts';
import type { Failure } from '../core/types.ts';
import type { Db } from './db.ts';

interface Row {
  address: string;
  family: 4 | 6;
  time: number;
  line: string;
}

export class FailureTable {
  readonly #insert;
  readonly #since;
  readonly #clear;
  readonly #purge;
  readonly #writeMany;
  #queue: [string, Failure][] = [];
  #scheduled = false;

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO failures (jail, address, family, time, line) VALUES (?, ?, ?, ?, ?)',
    );
    this.#since = db.prepare<[string, number], Row>(
      'SELECT address, family, time, line FROM failures WHERE jail = ? AND time >= ? ORDER BY time',
    );
    this.#clear = db.prepare('DELETE FROM failures WHERE jail = ? AND address = ?');
    this.#purge = db.prepare('DELETE FROM failures WHERE time < ?');
    this.#writeMany = db.transaction((rows: [string, Failure][]) => {
      for (const [jail, f] of rows) this.#insert.run(jail, f.address.text, f.address.family, f.time, f.line);
    });
  }

  record(jail: string, failure: Failure): void {
    this.#queue.push([jail, failure]);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    const rows = this.#queue;
    this.#queue = [];
    this.#writeMany(rows);
  }

  since(jail: string, since: number): Failure[] {
    this.flush();
    return this.#since.all(jail, since).map((r) => ({
      address: { text: r.address, family: r.family },
      time: r.time,
      line: r.line,
    }));
  }

  clear(jail: string, address: Address): void {
    this.flush();
    this.#clear.run(jail, address.text);
  }

  /** Deletes failures older than `before`: nothing can count them any more. */
  purge(before: number): void {
    this.flush();
    this.#purge.run(before);
  }
}
