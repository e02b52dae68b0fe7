// The StateStore and PositionStore ports on better-sqlite3: one database file, one module per
// table. Failures are written with the position (or journal cursor) saved after them, in one
// transaction, so after a SIGKILL the file holds exactly the failures of the lines before the
// saved position, and the next start reads the rest again (failures.ts: FLUSH_INTERVAL_MS).

import type { BanRecord, StateStore } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import type { BanOrder, Failure } from '../core/types.ts';
import type { BanBatchStore, NewBan, StepStore } from '../jail/ports.ts';
import type { FilePosition, PositionStore } from '../tail/ports.ts';
import { BanTable } from './bans.ts';
import { type Db, openDb } from './db.ts';
import { type Cleared, FailureTable } from './failures.ts';
import { FilePositionTable } from './file-positions.ts';
import { JournalCursorTable } from './journal-cursors.ts';

export class SqliteStore implements StateStore, StepStore, BanBatchStore, PositionStore {
  readonly #db: Db;
  readonly #failures: FailureTable;
  readonly #bans: BanTable;
  readonly #positions: FilePositionTable;
  readonly #cursors: JournalCursorTable;
  readonly #now: () => number;
  readonly #savePositions;
  readonly #saveCursor;
  readonly #recordBans;
  /** The tick's bans from every jail, and who waits for their commit (recordBansInTick). */
  #tick: { bans: NewBan[]; waiting: ((error: Error | undefined) => void)[] } | undefined;

  /** `now` stamps saved positions, for purge(); `backstopMs`: see failures.ts. */
  constructor(path: string, options: { now?: () => number; backstopMs?: number } = {}) {
    this.#db = openDb(path);
    this.#now = options.now ?? Date.now;
    this.#failures = new FailureTable(this.#db, { backstopMs: options.backstopMs });
    this.#bans = new BanTable(this.#db);
    this.#positions = new FilePositionTable(this.#db);
    this.#cursors = new JournalCursorTable(this.#db);
    this.#savePositions = this.#db.transaction((batch: ReadonlyMap<string, FilePosition>) => {
      this.#failures.flush();
      this.#positions.save(batch, this.#now());
    });
    this.#saveCursor = this.#db.transaction((name: string, cursor: string) => {
      this.#failures.flush();
      this.#cursors.save(name, cursor, this.#now());
    });
    this.#recordBans = this.#db.transaction((bans: readonly NewBan[], cleared: readonly Cleared[]) => {
      this.#bans.writeMany(bans);
      this.#failures.clearRows(cleared);
    });
  }

  recordFailure(jail: string, failure: Failure): void {
    this.#failures.record(jail, failure);
  }
  failuresSince(jail: string, since: number): Failure[] {
    return this.#failures.since(jail, since);
  }
  failuresOf(jail: string, address: Address, since: number, counted: number): Failure[] {
    return this.#failures.of(jail, address, since, counted);
  }
  clearFailures(jail: string, address: Address): void {
    this.#failures.clear(jail, address);
  }
  recordBan(order: BanOrder, matches: readonly string[]): void {
    this.#bans.record(order, matches);
  }
  recordBans(bans: readonly NewBan[]): void {
    if (bans.length === 0) return;
    const cleared = bans.map((b): Cleared => [b.order.jail, b.order.address]);
    try {
      this.#recordBans(bans, cleared);
    } catch (err) {
      this.#bans.recount(); // the rolled-back bans were counted
      throw err;
    }
    // Only once committed: a failed commit leaves the queued failures as they were.
    this.#failures.clearQueued(cleared);
  }
  recordBansInTick(bans: readonly NewBan[], then: (error: Error | undefined) => void): void {
    let tick = this.#tick;
    if (!tick) {
      tick = { bans: [], waiting: [] };
      this.#tick = tick;
      queueMicrotask(() => this.#commitTick());
    }
    for (const b of bans) tick.bans.push(b);
    tick.waiting.push(then);
  }
  #commitTick(): void {
    const tick = this.#tick!;
    this.#tick = undefined;
    let error: Error | undefined;
    try {
      this.recordBans(tick.bans);
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    for (const then of tick.waiting) then(error);
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

  filePosition(path: string): FilePosition | undefined {
    return this.#positions.get(path);
  }
  saveFilePositions(batch: ReadonlyMap<string, FilePosition>): void {
    this.#savePositions(batch);
  }
  journalCursor(name: string): string | undefined {
    return this.#cursors.get(name);
  }
  saveJournalCursor(name: string, cursor: string): void {
    this.#saveCursor(name, cursor);
  }
  moveBans(jail: string, orders: readonly BanOrder[]): void {
    this.#bans.move(jail, orders);
  }
  shiftFailures(jail: string, deltaMs: number): void {
    this.#failures.shift(jail, deltaMs);
  }

  /**
   * Drops failures older than `failuresBefore`, and bans that ended and positions last saved
   * before `bansBefore` (dbpurgeage).
   */
  purge(failuresBefore: number, bansBefore: number): void {
    this.#failures.purge(failuresBefore);
    this.#bans.purge(bansBefore);
    this.#positions.purge(bansBefore);
    this.#cursors.purge(bansBefore);
  }

  close(): void {
    this.flush();
    this.#db.close();
  }
}
