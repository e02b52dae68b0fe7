// Opens the state file: WAL journal, forward-only numbered migrations from migrations/NNNN-*.sql
// applied in one transaction each, recorded in user_version. A file from a newer banhammer
// (user_version above what we know) is refused rather than guessed at.

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePackage } from '../core/require-package.ts';

const Database = requirePackage('better-sqlite3') as typeof import('better-sqlite3');

export type Db = import('better-sqlite3').Database;

// Migrations ship next to the sources (src/store/migrations), not inside dist/.
const MIGRATIONS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'src',
  'store',
  'migrations',
);

function migrations(): { version: number; sql: string; name: string }[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}-[\w-]+\.sql$/.test(f))
    .sort()
    .map((name) => ({
      version: Number(name.slice(0, 4)),
      name,
      sql: readFileSync(join(MIGRATIONS_DIR, name), 'utf8'),
    }));
}

/** Opens (creating if needed) the database at `path` and brings its schema up to date. */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL under WAL: a power cut may lose the last commits but never corrupts the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // SQLite's own default page cache, 2 MiB, not better-sqlite3's 16: what the daemon reads back is
  // small (a jail's failures inside findtime, one address's lines at a ban), and a million
  // failures written filled all 16 MiB, resident to the end (bench/figures/memory.mjs).
  db.pragma('cache_size = -2000');
  const current = db.pragma('user_version', { simple: true }) as number;
  const all = migrations();
  const latest = all.at(-1)?.version ?? 0;
  if (current > latest) {
    db.close();
    throw new Error(`${path}: schema version ${current} is newer than this banhammer knows (${latest})`);
  }
  for (const m of all) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db;
}
