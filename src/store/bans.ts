// The bans table: one row per ban decision, kept after expiry as history (the recidive and
// bantime.increment features read it). A ban is active while not lifted and not expired. Every
// write is one transaction: a SIGKILL between two statements must not leave an address that
// the kernel still holds without an active row.

import type { BanRecord } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import type { BanOrder } from '../core/types.ts';
import type { Db } from './db.ts';

interface Row {
  jail: string;
  address: string;
  family: 4 | 6;
  banned_at: number;
  expires_at: number | null;
  failures: number;
}

export class BanTable {
  readonly #insert;
  readonly #lift;
  readonly #active;
  readonly #total;
  readonly #purge;
  readonly #count;
  readonly #countInJail;
  readonly #matches;
  readonly #matchesInJail;
  readonly #record;
  readonly #move;
  readonly #moveMany;

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO bans (jail, address, family, banned_at, expires_at, failures, matches) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM bans WHERE address = ?');
    this.#countInJail = db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM bans WHERE address = ? AND jail = ?',
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
    this.#active = db.prepare<[string, number], Row>(
      `SELECT jail, address, family, banned_at, expires_at, failures FROM bans
       WHERE jail = ? AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
       ORDER BY banned_at`,
    );
    this.#total = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM bans WHERE jail = ?');
    this.#purge = db.prepare(
      `DELETE FROM bans WHERE (lifted_at IS NOT NULL AND lifted_at < @before)
                           OR (expires_at IS NOT NULL AND expires_at < @before)`,
    );
    // Lifting the superseded row and inserting the new one in one step: apart, a SIGKILL between
    // them would leave a re-banned address in the kernel with no active row.
    this.#record = db.transaction((order: BanOrder, matches: readonly string[]) => {
      this.#lift.run(order.bannedAt, order.jail, order.address.text);
      this.#insert.run(
        order.jail,
        order.address.text,
        order.address.family,
        order.bannedAt,
        order.expiresAt,
        order.failures,
        JSON.stringify(matches),
      );
    });
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

  /** Rewrites the start and end of the jail's active bans of these addresses (a clock step). */
  move(jail: string, orders: readonly BanOrder[]): void {
    if (orders.length > 0) this.#moveMany(jail, orders);
  }

  /** Bans of `address` on record, in `jail` or (undefined) in every jail. */
  count(address: Address, jail: string | undefined): number {
    const row =
      jail === undefined ? this.#count.get(address.text) : this.#countInJail.get(address.text, jail);
    return row?.n ?? 0;
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

  active(jail: string, now: number): BanRecord[] {
    return this.#active.all(jail, now).map((r) => ({
      jail: r.jail,
      address: { text: r.address, family: r.family },
      bannedAt: r.banned_at,
      expiresAt: r.expires_at,
      failures: r.failures,
    }));
  }

  total(jail: string): number {
    return this.#total.get(jail)?.n ?? 0;
  }

  /** Forgets bans that ended before `before` (dbpurgeage). */
  purge(before: number): void {
    this.#purge.run({ before });
  }
}
