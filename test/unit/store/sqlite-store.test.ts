import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BanRecord } from '../../../src/ban/ports.ts';
import type { Address } from '../../../src/core/address.ts';
import type { BanOrder, Failure } from '../../../src/core/types.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { REPO } from '../../support/config-dir.ts';
import { countLoopTurns } from '../../support/loop-turns.ts';

const A: Address = { text: '192.0.2.1', family: 4 };
const B: Address = { text: '2001:db8::2', family: 6 };
const NOW = 1_700_000_000_000;
const LATEST = Math.max(
  ...readdirSync(join(REPO, 'src', 'store', 'migrations'))
    .filter((f) => /^\d{4}-.*\.sql$/.test(f))
    .map((f) => Number(f.slice(0, 4))),
);

const failure = (address: Address, time: number): Failure => ({ address, time, line: `fail ${time}` });
const ban = (address: Address, bannedAt: number, expiresAt: number | null, jail = 'sshd'): BanOrder => ({
  jail,
  address,
  bannedAt,
  expiresAt,
  failures: 3,
  restored: false,
});
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

let dir: string;
let path: string;
let store: SqliteStore | undefined;

function open(): SqliteStore {
  store = new SqliteStore(path);
  return store;
}

/** A second, raw connection: what is on disk, not what the store queued. */
function raw<T>(query: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-store-'));
  path = join(dir, 'state', 'banhammer.sqlite3');
});

afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore: the file', () => {
  it('creates the file (and its folder) with every migration applied and WAL on', () => {
    open();
    expect(LATEST).toBeGreaterThanOrEqual(1);
    raw((db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['bans', 'failures']));
    });
  });

  it("keeps one index of bans by address, which every look-up of an address's bans uses", () => {
    open();
    raw((db) => {
      const indexes = db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bans' ORDER BY name",
        )
        .all()
        .map((r) => r.name);
      expect(indexes).toEqual(['bans_active', 'bans_by_address']);
      const plan = (sql: string) =>
        db
          .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all()
          .map((r) => r.detail)
          .join('; ');
      // The statements of store/bans.ts that name an address.
      for (const sql of [
        "UPDATE bans SET lifted_at = 1 WHERE jail = 'j' AND address = 'a' AND lifted_at IS NULL",
        "UPDATE bans SET banned_at = 1, expires_at = 2 WHERE jail = 'j' AND address = 'a' AND lifted_at IS NULL",
        "SELECT matches FROM bans WHERE address = 'a' ORDER BY banned_at",
        "SELECT matches FROM bans WHERE address = 'a' AND jail = 'j' ORDER BY banned_at",
      ])
        expect(plan(sql), sql).toMatch(/USING INDEX bans_by_address \(address=\?/);
    });
  });

  it('brings a file of schema 4 (two address indexes) to one index, keeping its bans', () => {
    const s = open();
    s.recordBan(ban(A, NOW, NOW + 60_000), []);
    s.close();
    store = undefined;
    const old = new Database(path);
    old.exec(`DROP INDEX bans_by_address;
      CREATE INDEX bans_by_jail_address ON bans (jail, address);
      CREATE INDEX bans_by_address ON bans (address);
      PRAGMA user_version = 4;`);
    old.close();
    const again = open();
    expect(again.activeBans('sshd', NOW).map((b) => b.address)).toEqual([A]);
    raw((d) => expect(d.pragma('user_version', { simple: true })).toBe(LATEST));
  });

  it('keeps failures and bans across close and reopen, queued failures included', () => {
    const s = open();
    s.recordBan(ban(A, NOW, NOW + 60_000), []);
    s.recordFailure('sshd', failure(B, NOW - 5));
    s.close(); // the failure is still queued: close must write it
    store = undefined;
    const again = open();
    expect(again.failuresSince('sshd', 0)).toEqual([failure(B, NOW - 5)]);
    expect(again.activeBans('sshd', NOW).map((b) => b.address)).toEqual([A]);
    expect(again.totalBans('sshd')).toBe(1);
  });

  it('refuses a file written by a newer banhammer and leaves it alone', () => {
    open().close();
    store = undefined;
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST + 1}`);
    db.close();
    expect(() => new SqliteStore(path)).toThrow(/newer/);
    raw((d) => expect(d.pragma('user_version', { simple: true })).toBe(LATEST + 1));
  });
});

describe('SqliteStore: failures', () => {
  // Written with the log position just past their lines, not ahead of it (positions.test.ts):
  // a SIGKILL in between would otherwise count those lines twice at the next start.
  it('queues failures past the next tick; a backstop writes what no position save carried', async () => {
    store = new SqliteStore(path, { backstopMs: 50 });
    store.recordFailure('sshd', failure(A, NOW));
    store.recordFailure('sshd', failure(B, NOW + 1));
    await nextTick();
    expect(raw((db) => db.prepare('SELECT count(*) AS n FROM failures').get())).toEqual({ n: 0 });
    await new Promise((r) => setTimeout(r, 100));
    expect(raw((db) => db.prepare('SELECT count(*) AS n FROM failures').get())).toEqual({ n: 2 });
  });

  it('makes queued failures visible to failuresSince at once', () => {
    const s = open();
    s.recordFailure('sshd', failure(A, NOW));
    expect(s.failuresSince('sshd', NOW)).toEqual([failure(A, NOW)]);
  });

  it('returns the jail failures oldest first, since bound inclusive, other jails apart', () => {
    const s = open();
    s.recordFailure('sshd', failure(A, NOW + 20));
    s.recordFailure('sshd', failure(B, NOW));
    s.recordFailure('sshd', failure(A, NOW - 1));
    s.recordFailure('sshd', failure(A, NOW + 10));
    s.recordFailure('web', failure(A, NOW + 5));
    expect(s.failuresSince('sshd', NOW)).toEqual([
      failure(B, NOW),
      failure(A, NOW + 10),
      failure(A, NOW + 20),
    ]);
    expect(s.failuresSince('web', 0)).toEqual([failure(A, NOW + 5)]);
    expect(s.failuresSince('nope', 0)).toEqual([]);
  });

  it('clears one address in one jail, queued failures included', () => {
    const s = open();
    s.recordFailure('sshd', failure(A, NOW));
    s.recordFailure('sshd', failure(B, NOW + 1));
    s.recordFailure('web', failure(A, NOW + 2));
    s.clearFailures('sshd', A);
    expect(s.failuresSince('sshd', 0)).toEqual([failure(B, NOW + 1)]);
    expect(s.failuresSince('web', 0)).toEqual([failure(A, NOW + 2)]);
  });
});

describe('SqliteStore: bans', () => {
  it('reports a timed ban as active until it expires', () => {
    const s = open();
    s.recordBan(ban(A, NOW, NOW + 60_000), []);
    expect(s.activeBans('sshd', NOW + 59_999)).toEqual([
      { jail: 'sshd', address: A, bannedAt: NOW, expiresAt: NOW + 60_000, failures: 3 },
    ]);
    expect(s.activeBans('sshd', NOW + 60_000)).toEqual([]);
    expect(s.activeBans('web', NOW)).toEqual([]);
  });

  it('keeps a forever ban active, whatever the time', () => {
    const s = open();
    s.recordBan(ban(B, NOW, null), []);
    expect(s.activeBans('sshd', NOW + 10 * 365 * 86_400_000)).toEqual([
      { jail: 'sshd', address: B, bannedAt: NOW, expiresAt: null, failures: 3 },
    ]);
  });

  it('drops a lifted ban from the active ones, in its own jail only', () => {
    const s = open();
    s.recordBan(ban(A, NOW, null), []);
    s.recordBan(ban(A, NOW, null, 'web'), []);
    s.recordBan(ban(B, NOW, NOW + 60_000), []);
    s.liftBan('sshd', A, NOW + 1);
    expect(s.activeBans('sshd', NOW + 2).map((b) => b.address)).toEqual([B]);
    expect(s.activeBans('web', NOW + 2).map((b) => b.address)).toEqual([A]);
  });

  it('lets a re-ban supersede the older row of the same address', () => {
    const s = open();
    s.recordBan(ban(A, NOW, NOW + 60_000), []);
    s.recordBan(ban(A, NOW + 1000, NOW + 120_000), []);
    expect(s.activeBans('sshd', NOW + 2000)).toEqual([
      { jail: 'sshd', address: A, bannedAt: NOW + 1000, expiresAt: NOW + 120_000, failures: 3 },
    ]);
    expect(s.totalBans('sshd')).toBe(2);
  });

  it('lists active bans oldest first', () => {
    const s = open();
    s.recordBan(ban(B, NOW + 5, null), []);
    s.recordBan(ban(A, NOW, null), []);
    expect(s.activeBans('sshd', NOW + 10).map((b) => b.address)).toEqual([A, B]);
  });

  it('reads active bans in pages, the event loop turning between them', async () => {
    store = new SqliteStore(path, { activePage: 4 });
    const s = store;
    const v4 = (i: number): Address => ({ text: `198.51.100.${i}`, family: 4 });
    // Eleven active bans, with rows the read skips between them: another jail's, a lifted one,
    // an expired one. The clock was set back before the last ban: it started earliest.
    for (let i = 1; i <= 10; i++) {
      s.recordBan(ban(v4(i), NOW + i, null), []);
      if (i % 3 === 0) s.recordBan(ban(v4(i), NOW + i, null, 'web'), []);
    }
    s.recordBan(ban(v4(20), NOW, NOW + 1), []);
    s.recordBan(ban(v4(21), NOW, null), []);
    s.liftBan('sshd', v4(21), NOW + 1);
    s.recordBan(ban(v4(11), NOW - 5, null), []);
    const loop = countLoopTurns();
    const pages: number[] = [];
    const read: BanRecord[] = [];
    for await (const page of s.activeBanPages('sshd', NOW + 20)) {
      pages.push(page.length);
      read.push(...page);
    }
    loop.stop();
    // In the order recorded; activeBans() lists the same oldest first.
    expect(read.map((b) => b.address.text)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => v4(i).text),
    );
    expect(pages).toEqual([4, 4, 3]);
    expect(s.activeBans('sshd', NOW + 20)).toEqual([read.at(-1), ...read.slice(0, -1)]);
    // The loop turned between the pages.
    expect(loop.count).toBeGreaterThanOrEqual(2);
  });

  it('counts every ban the jail issued, expired and lifted ones too', () => {
    const s = open();
    expect(s.totalBans('sshd')).toBe(0);
    s.recordBan(ban(A, NOW, NOW + 1), []);
    s.recordBan(ban(B, NOW, null), []);
    s.liftBan('sshd', B, NOW + 1);
    s.recordBan(ban(A, NOW, null, 'web'), []);
    expect(s.totalBans('sshd')).toBe(2);
    expect(s.totalBans('web')).toBe(1);
  });
});

describe('SqliteStore: purge', () => {
  it('drops failures before the cutoff and keeps the ones at or after it', () => {
    const s = open();
    s.recordFailure('sshd', failure(A, NOW - 1));
    s.recordFailure('sshd', failure(A, NOW));
    s.recordFailure('web', failure(B, NOW - 100));
    s.purge(NOW, 0);
    expect(s.failuresSince('sshd', 0)).toEqual([failure(A, NOW)]);
    expect(s.failuresSince('web', 0)).toEqual([]);
  });

  it('drops bans that expired before the cutoff and keeps active and forever ones', () => {
    const s = open();
    s.recordBan(ban(A, NOW - 10_000, NOW - 5000), []); // ended before the cutoff
    s.recordBan(ban(B, NOW - 10_000, NOW + 5000), []); // still running
    s.recordBan(ban({ text: '192.0.2.3', family: 4 }, NOW - 10_000, null), []); // forever
    s.purge(0, NOW);
    expect(s.totalBans('sshd')).toBe(2);
    expect(
      s
        .activeBans('sshd', NOW)
        .map((b) => b.address.text)
        .sort(),
    ).toEqual(['192.0.2.3', B.text]);
  });

  // A ban ends when it expires or when it is lifted, whichever comes first; a lifted forever-ban
  // must be forgotten after dbpurgeage too.
  it('drops a ban lifted before the cutoff even when it would have run on', () => {
    const s = open();
    s.recordBan(ban(A, NOW - 10_000, null), []);
    s.liftBan('sshd', A, NOW - 9000);
    s.purge(0, NOW);
    expect(raw((db) => db.prepare('SELECT count(*) AS n FROM bans').get())).toEqual({ n: 0 });
  });
});
