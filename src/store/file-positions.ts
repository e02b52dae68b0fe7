// The file_positions table: one row per followed path, replaced whole on every save. Rows of
// paths not followed for dbpurgeage are dropped by purge().

import type { FilePosition } from '../tail/ports.ts';
import type { Db } from './db.ts';

interface Row {
  dev: string;
  ino: string;
  hash: string;
  offset: number;
}

export class FilePositionTable {
  readonly #get;
  readonly #upsert;
  readonly #purge;
  readonly #saveMany;

  constructor(db: Db) {
    this.#get = db.prepare<[string], Row>('SELECT dev, ino, hash, offset FROM file_positions WHERE path = ?');
    this.#upsert = db.prepare(
      `INSERT INTO file_positions (path, dev, ino, hash, offset, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, hash = excluded.hash,
         offset = excluded.offset, updated_at = excluded.updated_at`,
    );
    this.#purge = db.prepare('DELETE FROM file_positions WHERE updated_at < ?');
    this.#saveMany = db.transaction((batch: ReadonlyMap<string, FilePosition>, at: number) => {
      for (const [path, p] of batch) this.#upsert.run(path, p.dev, p.ino, p.hash, p.offset, at);
    });
  }

  get(path: string): FilePosition | undefined {
    const r = this.#get.get(path);
    return r && { dev: r.dev, ino: r.ino, hash: r.hash, offset: r.offset };
  }

  save(batch: ReadonlyMap<string, FilePosition>, at: number): void {
    if (batch.size > 0) this.#saveMany(batch, at);
  }

  /** Forgets paths whose position was last written before `before`. */
  purge(before: number): void {
    this.#purge.run(before);
  }
}
