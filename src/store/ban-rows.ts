// The statements a tick's bans are written with, on the daemon's thread or on the writer thread
// (writer-thread.ts) alike: each ban's row, after lifting the active row it supersedes where one
// may exist, then the failures the bans end. What to lift is decided by the daemon's thread
// (BanTable.plan), which keeps the ban counts; this side only runs the statements, so the two
// threads write the same rows.

import type { Db } from './db.ts';

/**
 * A tick's bans as statement parameters: ROW_WIDTH values per ban, in order (jail, address,
 * family, banned_at, expires_at, failures, the ban's lines, whether to lift an earlier row first),
 * and per jail the addresses whose failures the bans end. Plain values: it crosses to the writer
 * thread by structured clone, which copies 100,000 bans in ~50 ms, half the time of packing them
 * into one string and a Float64Array first.
 */
export interface BanRowBatch {
  readonly rows: unknown[];
  readonly cleared: [jail: string, addresses: string[]][];
}

export const ROW_WIDTH = 8;
/** Rows per multi-row INSERT; 7 parameters each, well under SQLite's 32,766. */
export const ROWS_PER_INSERT = 32;

const INSERT = 'INSERT INTO bans (jail, address, family, banned_at, expires_at, failures, matches) VALUES ';
const ROW = '(?, ?, ?, ?, ?, ?, ?)';

export class BanRowWriter {
  readonly #insert;
  readonly #insertMany;
  readonly #lift;
  readonly #clearMany;

  constructor(db: Db) {
    this.#insert = db.prepare(INSERT + ROW);
    this.#insertMany = db.prepare(INSERT + Array.from({ length: ROWS_PER_INSERT }, () => ROW).join(', '));
    this.#lift = db.prepare(
      'UPDATE bans SET lifted_at = ? WHERE jail = ? AND address = ? AND lifted_at IS NULL',
    );
    this.#clearMany = db.prepare(
      'DELETE FROM failures WHERE jail = ? AND address IN (SELECT value FROM json_each(?))',
    );
  }

  /** Runs the batch's statements; inside the caller's transaction. */
  write(batch: BanRowBatch): void {
    this.#insertRows(batch.rows);
    // One statement per jail, its addresses as a JSON array: less than half the time of a
    // statement per address (100,000 addresses: ~30 vs ~70 ms).
    for (const [jail, addresses] of batch.cleared) this.#clearMany.run(jail, JSON.stringify(addresses));
  }

  /**
   * Rows wait to be inserted ROWS_PER_INSERT at a time (about a fifth less time than a statement
   * per row), and go in before any lift: a lift after its address's new row would lift it too.
   */
  #insertRows(rows: readonly unknown[]): void {
    const params: unknown[] = [];
    const insert = () => {
      if (params.length === ROWS_PER_INSERT * 7) this.#insertMany.run(params);
      else for (let k = 0; k < params.length; k += 7) this.#insert.run(params.slice(k, k + 7));
      params.length = 0;
    };
    for (let i = 0; i < rows.length; i += ROW_WIDTH) {
      if (rows[i + 7] === true) {
        insert();
        this.#lift.run(rows[i + 3], rows[i], rows[i + 1]);
      }
      params.push(rows[i], rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5]);
      params.push(JSON.stringify(rows[i + 6]));
      if (params.length === ROWS_PER_INSERT * 7) insert();
    }
    insert();
  }
}
