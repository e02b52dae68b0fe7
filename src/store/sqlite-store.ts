// The StateStore port on better-sqlite3: one database file, one module per table.

import type { BanRecord, StateStore } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import type { BanOrder, Failure } from '../core/types.ts';
import { BanTable } from './bans.ts';
import { type Db, openDb } from './db.ts';
import { FailureTable } from './failures.ts';

export class SqliteStore implements StateStore {
  readonly #db: Db;
  readonly #failures: FailureTable;
  readonly #bans: BanTable;

  constructor(path: string) {
    this.#db = openDb(path);
    this.#failures = new FailureTable(this.#db);
    this.#bans = new BanTable(this.#db);
  }

  recordFailure(jail: string, failure: Failure): void {
    this.#failures.record(jail, failure);
  }
  failuresSince(jail: string, since: number): Failure[] {
    return this.#failures.since(jail, since);
  }
  clearFailures(jail: string, address: Address): void {
    this.#failures.clear(jail, address);
  }
  recordBan(order: BanOrder, matches: readonly string[]): void {
    this.#bans.record(order, matches);
  }
  banCount(address: Address, jail: string | undefined): number {
    return this.#bans.count(address, jail);
  }
  banMatches(address: Address, jail: string | undefined): string[] {
    return this.#bans.matches(address, jail);
  }
  liftBan(jail: string, address: Address, at: number): void {
    this.#bans.lift(jail, address, at);
  }
  activeBans(jail: string, now: number): BanRecord[] {
    return this.#bans.active(jail, now);
  }
  totalBans(jail: string): number {
    return this.#bans.total(jail);
  }
  flush(): void {
    this.#failures.flush();
  }

  /** Drops failures older than `failuresBefore` and bans that ended before `bansBefore`. */
  purge(failuresBefore: number, bansBefore: number): void {
    this.#failures.purge(failuresBefore);
    this.#bans.purge(bansBefore);
  }

  close(): void {
    this.flush();
    this.#db.close();
  }
}
