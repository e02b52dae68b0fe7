// The bans table: one row per ban decision, kept after expiry as history (the recidive and
// bantime.increment features read it). A ban is active while not lifted and not expired. Every
// write is one transaction: a SIGKILL between two statements must not leave an address that
// the kernel still holds without an active row. Ban counts (bantime.increment, `<bancount>`) are
// kept in memory: read from the table once, at the first count, then followed by record() and
// purge(); a COUNT query per ban was a tenth of a ban storm's time (bench/figures/ban-throughput).
// A tick's bans are planned here (plan(): the rows, and which supersede an earlier one, from the
// counts) and written by ban-rows.ts, on this thread or the writer thread (sqlite-store.ts).

import type { BanRecord } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import type { BanOrder } from '../core/types.ts';
import type { NewBan } from '../jail/ports.ts';
import { BanCounts } from './ban-counts.ts';
import type { BanRowWriter } from './ban-rows.ts';
import type { Db } from './db.ts';

/** An active ban's row id and columns, as an array (raw mode): no object per row to build and drop. */
type ActiveRow = [
  id: number,
  address: string,
  family: 4 | 6,
  bannedAt: number,
  expiresAt: number | null,
  failures: number,
];

export class BanTable {
  readonly #rows: BanRowWriter;
  readonly #settle: () => void;
  readonly #lift;
  readonly #active;
  readonly #total;
  readonly #purge;
  readonly #countAll;
  readonly #matches;
  readonly #matchesInJail;
  readonly #record;
  readonly #move;
  readonly #moveMany;
  /** Bans on record by address. Undefined: not read yet. */
  #counts: BanCounts | undefined;

  /** `settle`: run before the counts are read from the file (the store's writer thread). */
  constructor(db: Db, rows: BanRowWriter, settle: () => void) {
    this.#rows = rows;
    this.#settle = settle;
    this.#countAll = db.prepare<[], { jail: string; address: string; n: number }>(
      'SELECT jail, address, count(*) AS n FROM bans GROUP BY address, jail',
    );
    this.#matches = db.prepare<[string], { matches: string }>(
      'SELECT matches FROM bans WHERE address = ? ORDER BY banned_at',
    );
    this.#matchesInJail = db.prepare<[string, string], { matches: string }>(
      'SELECT matches FROM bans WHERE address = ? AND jail = ? ORDER BY banned_at',
    );
    this.#lift = db.prepare(
      'UPDATE bans SET lifted_at = ? WHERE jail = ? AND address = ? AND lifted_at IS NULL',
    );
    // A page of them in row order, from where the last page stopped: by row id, not through
    // bans_active, which each page would read again from its start (NOT INDEXED keeps the row id).
    this.#active = db
      .prepare<[number, string, number, number], ActiveRow>(
        `SELECT id, address, family, banned_at, expires_at, failures FROM bans NOT INDEXED
         WHERE id > ? AND jail = ? AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
         ORDER BY id LIMIT ?`,
      )
      .raw(true);
    this.#total = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM bans WHERE jail = ?');
    this.#purge = db.prepare(
      `DELETE FROM bans WHERE (lifted_at IS NOT NULL AND lifted_at < @before)
                           OR (expires_at IS NOT NULL AND expires_at < @before)`,
    );
    // Lifting the superseded row and inserting the new one in one step: apart, a SIGKILL between
    // them would leave a re-banned address in the kernel with no active row.
    this.#record = db.transaction((order: BanOrder, matches: readonly string[]) =>
      this.write(order, matches),
    );
    this.#move = db.prepare(
      'UPDATE bans SET banned_at = ?, expires_at = ? WHERE jail = ? AND address = ? AND lifted_at IS NULL',
    );
    this.#moveMany = db.transaction((jail: string, orders: readonly BanOrder[]) => {
      for (const o of orders) this.#move.run(o.bannedAt, o.expiresAt, jail, o.address.text);
    });
  }

  /** Records a fresh ban; an earlier active ban of the same address is superseded. */
  record(order: BanOrder, matches: readonly string[]): void {
    this.#record(order, matches);
  }

  /** record() without a transaction of its own: for a caller that holds one around many bans. */
  write(order: BanOrder, matches: readonly string[]): void {
    this.#rows.write({ rows: this.plan([{ order, matches }]), cleared: [] });
  }

  /**
   * These bans' rows, in order, as BanRowWriter takes them; counts them in memory as written. A
   * ban lifts an earlier row first where the jail may hold one of its address.
   */
  plan(bans: readonly NewBan[]): unknown[] {
    const rows: unknown[] = [];
    const counts = this.#counts;
    for (const { order, matches, fresh } of bans) {
      const { jail, address } = order;
      // Counted from now on, once the counts are read. Counts unknown (no jail has needed them):
      // a row to lift unless the jail knows of none; known, an earlier ban in the jail may have one.
      const lift = counts === undefined ? fresh !== true : counts.bump(jail, address.text) > 0;
      rows.push(jail, address.text, address.family, order.bannedAt, order.expiresAt, order.failures);
      rows.push(matches, lift);
    }
    return rows;
  }

  /** Rewrites the start and end of the jail's active bans of these addresses (a clock step). */
  move(jail: string, orders: readonly BanOrder[]): void {
    if (orders.length > 0) this.#moveMany(jail, orders);
  }

  /** Bans of `address` on record, in `jail` or (undefined) in every jail. */
  count(address: Address, jail: string | undefined): number {
    return (this.#counts ?? this.#readCounts()).count(address.text, jail);
  }

  /** Forgets the counts in memory: the next count() reads them from the table again. */
  recount(): void {
    this.#counts = undefined;
  }

  #readCounts(): BanCounts {
    this.#settle();
    const counts = new BanCounts();
    for (const r of this.#countAll.all()) counts.add(r.jail, r.address, r.n);
    this.#counts = counts;
    return counts;
  }

  /** The lines behind every recorded ban of `address`, in `jail` or in every jail, oldest first. */
  matches(address: Address, jail: string | undefined): string[] {
    const rows =
      jail === undefined ? this.#matches.all(address.text) : this.#matchesInJail.all(address.text, jail);
    return rows.flatMap((r) => JSON.parse(r.matches) as string[]);
  }

  lift(jail: string, address: Address, at: number): void {
    this.#lift.run(at, jail, address.text);
  }

  /**
   * The jail's bans in force at `now`, in the order they were written, `page` rows a query: each
   * step of the iteration reads one page, so a caller can let the event loop turn between pages.
   */
  *active(jail: string, now: number, page: number): Generator<BanRecord[]> {
    for (let after = 0; ; ) {
      // Rows as arrays: a restore reads 100,000 of them at start-up (bench/figures/restore.mjs).
      const rows = this.#active.all(after, jail, now, page);
      const out = new Array<BanRecord>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [id, text, family, bannedAt, expiresAt, failures] = rows[i]!;
        out[i] = { jail, address: { text, family }, bannedAt, expiresAt, failures };
        after = id;
      }
      yield out;
      if (rows.length < page) return;
    }
  }

  total(jail: string): number {
    return this.#total.get(jail)?.n ?? 0;
  }

  /** Forgets bans that ended before `before` (dbpurgeage). */
  purge(before: number): void {
    // Counted again at the next count(), from what is left.
    if (this.#purge.run({ before }).changes > 0) this.recount();
  }
}
