// The StateStore and PositionStore ports on better-sqlite3: one database file, one module per
// table. Failures are written with the position (or journal cursor) saved after them, in one
// transaction, so after a SIGKILL the file holds exactly the failures of the lines before the
// saved position, and the next start reads the rest again (failures.ts: FLUSH_INTERVAL_MS).
// A tick of many bans is written by the writer thread (ban-writer.ts); every other use of the
// file first waits for it (#settle), so the file sees one order of statements either way.

import type { BanRecord, StateStore } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import type { BanOrder, Failure } from '../core/types.ts';
import type { BanBatchStore, NewBan, StepStore } from '../jail/ports.ts';
import type { FilePosition, PositionStore } from '../tail/ports.ts';
import { type BanRowBatch, BanRowWriter } from './ban-rows.ts';
import { BanWriter } from './ban-writer.ts';
import { BanTable } from './bans.ts';
import { type Db, openDb } from './db.ts';
import { type Cleared, FailureTable } from './failures.ts';
import { FilePositionTable } from './file-positions.ts';
import { JournalCursorTable } from './journal-cursors.ts';
import { inTimeOrder } from './time-order.ts';

/** The fewest bans in a tick that go to the writer thread: a storm's, not a line's. */
const THREAD_MIN = 256;
/** Active bans read at a time at start-up (activeBanPages): about 10 ms of the event loop each. */
const ACTIVE_PAGE = 10_000;

/**
 * Each ban's order, whose jail and address name the failures its commit ends: the orders
 * themselves, not a [jail, address] pair made for each ban of a storm.
 */
const clearedBy = (bans: readonly NewBan[]): Cleared[] => bans.map((b) => b.order);

/** Addresses by jail, as BanRowBatch.cleared has them. */
function byJail(cleared: readonly Cleared[]): [string, string[]][] {
  const out = new Map<string, string[]>();
  for (const { jail, address } of cleared) {
    const texts = out.get(jail);
    if (texts) texts.push(address.text);
    else out.set(jail, [address.text]);
  }
  return [...out];
}

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
  readonly #path: string;
  /** Ticks of at least this many bans go to the writer thread. */
  readonly #threadMin: number;
  readonly #activePage: number;
  /** The writer thread: undefined until a tick is large enough, null when it cannot start. */
  #writer: BanWriter | null | undefined;
  /** The tick's bans from every jail, and who waits for their commit (recordBansInTick). */
  #tick: { bans: NewBan[]; waiting: ((error: Error | undefined) => void)[] } | undefined;

  /**
   * `now` stamps saved positions, for purge(); `backstopMs`: see failures.ts; `threadMin`: the
   * fewest bans in a tick that go to the writer thread (Infinity: none); `activePage`: rows a page
   * of activeBanPages() (ACTIVE_PAGE).
   */
  constructor(
    path: string,
    options: { now?: () => number; backstopMs?: number; threadMin?: number; activePage?: number } = {},
  ) {
    this.#db = openDb(path);
    this.#path = path;
    this.#threadMin = path === ':memory:' ? Number.POSITIVE_INFINITY : (options.threadMin ?? THREAD_MIN);
    this.#activePage = options.activePage ?? ACTIVE_PAGE;
    this.#now = options.now ?? Date.now;
    this.#failures = new FailureTable(this.#db, {
      backstopMs: options.backstopMs,
      settle: () => this.#settle(),
    });
    const rows = new BanRowWriter(this.#db);
    this.#bans = new BanTable(this.#db, rows, () => this.#settle());
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
    this.#recordBans = this.#db.transaction((batch: BanRowBatch) => rows.write(batch));
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
    this.#settle();
    this.#bans.record(order, matches);
  }
  recordBans(bans: readonly NewBan[]): void {
    if (bans.length === 0) return;
    this.#settle();
    const cleared = clearedBy(bans);
    try {
      this.#recordBans(this.#planned(bans, cleared));
    } catch (err) {
      this.#written(cleared, err);
      throw err;
    }
    this.#written(cleared, undefined);
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
    const writer = tick.bans.length >= this.#threadMin ? this.#thread() : undefined;
    if (writer) {
      this.#commitOnThread(writer, tick.bans, tick.waiting);
      return;
    }
    let error: Error | undefined;
    try {
      this.recordBans(tick.bans);
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    for (const then of tick.waiting) then(error);
  }
  /**
   * The tick's bans, planned here (counts, lifts) and written by the thread; the queued failures
   * are dropped once it has committed, as recordBans() does.
   */
  #commitOnThread(
    writer: BanWriter,
    bans: readonly NewBan[],
    waiting: readonly ((error: Error | undefined) => void)[],
  ): void {
    const cleared = clearedBy(bans);
    writer.write(this.#planned(bans, cleared), (error) => {
      this.#written(cleared, error);
      // Later, not inside whatever store call settled the thread: the callers ban in the kernel.
      queueMicrotask(() => {
        for (const then of waiting) then(error);
      });
    });
  }

  /** The bans' rows (counted in memory now, lifts decided) and the failures they end, to write. */
  #planned(bans: readonly NewBan[], cleared: readonly Cleared[]): BanRowBatch {
    return { rows: this.#bans.plan(bans), cleared: byJail(cleared) };
  }

  /**
   * After a batch's commit, or its failure (`error`): the queued failures of its addresses go only
   * once it has committed; the counts plan() took count bans a failed commit did not write.
   */
  #written(cleared: readonly Cleared[], error: unknown): void {
    if (error) this.#bans.recount();
    else this.#failures.clearQueued(cleared);
  }

  /** The writer thread when it can take a batch now; started at the first call. */
  #thread(): BanWriter | undefined {
    if (this.#writer === undefined) this.#writer = BanWriter.start(this.#path) ?? null;
    return this.#writer?.ready ? this.#writer : undefined;
  }

  /** Waits for the writer thread's batches out: before any other read or write of the file. */
  #settle(): void {
    this.#writer?.settle();
  }

  banCount(address: Address, jail: string | undefined): number {
    return this.#bans.count(address, jail);
  }
  banMatches(address: Address, jail: string | undefined): string[] {
    this.#settle();
    return this.#bans.matches(address, jail);
  }
  liftBan(jail: string, address: Address, at: number): void {
    this.#settle();
    this.#bans.lift(jail, address, at);
  }
  /** Bans of `jail` still in force at `now`, all at once, oldest first: what the file holds, for tests. */
  activeBans(jail: string, now: number): BanRecord[] {
    this.#settle();
    return inTimeOrder([...this.#bans.active(jail, now, Number.MAX_SAFE_INTEGER)].flat(), (b) => b.bannedAt);
  }
  /**
   * The same bans in pages of ACTIVE_PAGE rows, in the order recorded, the event loop turning
   * between pages: read at once, a restore's 100,000 rows held it for ~110 ms, and the collection
   * of their garbage for ~80 more (bench/figures/restore.mjs, its longest stall).
   */
  async *activeBanPages(jail: string, now: number): AsyncGenerator<BanRecord[]> {
    const pages = this.#bans.active(jail, now, this.#activePage);
    for (;;) {
      this.#settle();
      const page = pages.next();
      if (page.done) return;
      yield page.value;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  totalBans(jail: string): number {
    this.#settle();
    return this.#bans.total(jail);
  }
  flush(): void {
    this.#failures.flush();
  }

  filePosition(path: string): FilePosition | undefined {
    this.#settle();
    return this.#positions.get(path);
  }
  saveFilePositions(batch: ReadonlyMap<string, FilePosition>): void {
    this.#settle();
    this.#savePositions(batch);
  }
  journalCursor(name: string): string | undefined {
    this.#settle();
    return this.#cursors.get(name);
  }
  saveJournalCursor(name: string, cursor: string): void {
    this.#settle();
    this.#saveCursor(name, cursor);
  }
  moveBans(jail: string, orders: readonly BanOrder[]): void {
    this.#settle();
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
    this.#settle();
    this.#failures.purge(failuresBefore);
    this.#bans.purge(bansBefore);
    this.#positions.purge(bansBefore);
    this.#cursors.purge(bansBefore);
  }

  close(): void {
    this.flush();
    this.#writer?.close();
    this.#db.close();
  }
}
