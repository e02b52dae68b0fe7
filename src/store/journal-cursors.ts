// The journal_cursors table: the cursor of the last journal entry each systemd-backend jail was
// given, so the next start continues right after it.

import type { Db } from './db.ts';

export class JournalCursorTable {
  readonly #get;
  readonly #upsert;
  readonly #purge;

  constructor(db: Db) {
    this.#get = db.prepare<[string], { cursor: string }>('SELECT cursor FROM journal_cursors WHERE name = ?');
    this.#upsert = db.prepare(
      `INSERT INTO journal_cursors (name, cursor, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
    );
    this.#purge = db.prepare('DELETE FROM journal_cursors WHERE updated_at < ?');
  }

  get(name: string): string | undefined {
    return this.#get.get(name)?.cursor;
  }

  save(name: string, cursor: string, at: number): void {
    this.#upsert.run(name, cursor, at);
  }

  purge(before: number): void {
    this.#purge.run(before);
  }
}
