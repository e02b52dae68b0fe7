// A tick of many bans is written by the writer thread; whatever the daemon's thread does next
// with the file (a read, a position save, a lift) sees it written, and a batch the thread could
// not write leaves counts and queued failures as if it had never been made.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Address } from '../../../src/core/address.ts';
import type { BanOrder } from '../../../src/core/types.ts';
import { BanWriter } from '../../../src/store/ban-writer.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';

const NOW = 1_700_000_000_000;
const THREAD_MIN = 10;
const v4 = (i: number): Address => ({ text: `10.1.${i >> 8}.${i & 255}`, family: 4 });
const ban = (address: Address): BanOrder => ({
  jail: 'sshd',
  address,
  bannedAt: NOW,
  expiresAt: NOW + 60_000,
  failures: 3,
  restored: false,
});

let dir: string;
let path: string;
let store: SqliteStore;
let written: ReturnType<typeof vi.spyOn>;
let next = 1_000;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-writer-'));
  path = join(dir, 'banhammer.sqlite3');
  store = new SqliteStore(path, { threadMin: THREAD_MIN });
  written = vi.spyOn(BanWriter.prototype, 'write');
});

afterEach(() => {
  store.close();
  written.mockRestore();
  rmSync(dir, { recursive: true, force: true });
});

/** Records a tick of `n` bans of new addresses; resolves with the tick's outcome. */
function tick(addresses: readonly Address[]): Promise<Error | undefined> {
  return new Promise((resolve) =>
    store.recordBansInTick(
      addresses.map((a) => ({ order: ban(a), matches: [`line of ${a.text}`, 'second line'] })),
      resolve,
    ),
  );
}
const fresh = (n: number) => Array.from({ length: n }, () => v4(next++));

/** Large ticks until one goes to the thread (the first ones are written here while it starts). */
async function threadUp(): Promise<void> {
  for (let i = 0; i < 500 && written.mock.calls.length === 0; i++) {
    expect(await tick(fresh(THREAD_MIN))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(written).toHaveBeenCalled();
}

describe('SqliteStore: the writer thread', () => {
  it('writes large ticks; a tick under the threshold stays on this thread', async () => {
    await threadUp();
    const calls = written.mock.calls.length;
    expect(await tick(fresh(THREAD_MIN - 1))).toBeUndefined();
    expect(written.mock.calls.length).toBe(calls);
    expect(await tick(fresh(THREAD_MIN))).toBeUndefined();
    expect(written.mock.calls.length).toBe(calls + 1);
  });

  it("has written a tick before any read that follows it, without waiting for the tick's callbacks", async () => {
    await threadUp();
    const before = store.activeBans('sshd', NOW).length;
    const addresses = fresh(300);
    const calls = written.mock.calls.length;
    let answered = false;
    const outcome = tick(addresses).then((e) => {
      answered = true;
      return e;
    });
    await Promise.resolve(); // the tick's commit microtask has sent the batch
    // The callbacks have not run, and the thread may not have committed yet.
    expect(answered).toBe(false);
    expect(written.mock.calls.length).toBe(calls + 1);
    const active = store.activeBans('sshd', NOW);
    expect(active.length).toBe(before + 300);
    expect(store.banMatches(addresses[299]!, 'sshd')).toEqual([
      `line of ${addresses[299]!.text}`,
      'second line',
    ]);
    expect(await outcome).toBeUndefined();
    expect(store.totalBans('sshd')).toBe(before + 300);
  });

  it("drops the banned addresses' queued failures before a position save writes the queue", async () => {
    await threadUp();
    const addresses = fresh(THREAD_MIN);
    const spared = v4(next++);
    for (const a of [...addresses, spared])
      for (let i = 0; i < 2; i++)
        store.recordFailure('sshd', { address: a, time: NOW + i, line: `f ${a.text}` });
    const outcome = tick(addresses);
    store.saveFilePositions(new Map([['/var/log/auth.log', { dev: '1', ino: '2', hash: 'h', offset: 10 }]]));
    expect(await outcome).toBeUndefined();
    const reopened = new Database(path, { readonly: true });
    const rows = reopened.prepare('SELECT address FROM failures').all() as { address: string }[];
    reopened.close();
    expect(rows.map((r) => r.address)).toEqual([spared.text, spared.text]);
  });

  it('reports a batch the thread could not write, and keeps counts and queued failures as they were', async () => {
    await threadUp();
    const a = fresh(THREAD_MIN);
    store.banCount(a[0]!, 'sshd'); // counts read, so the failed tick's must be undone
    store.recordFailure('sshd', { address: a[0]!, time: NOW, line: 'kept' });
    const other = new Database(path);
    other.exec(`CREATE TRIGGER refuse BEFORE INSERT ON bans BEGIN SELECT RAISE(ABORT, 'no more bans'); END`);
    other.close();
    const error = await tick(a);
    expect(error?.message).toMatch(/no more bans/);
    expect(store.banCount(a[0]!, 'sshd')).toBe(0);
    expect(store.activeBans('sshd', NOW).some((b) => b.address.text === a[0]!.text)).toBe(false);
    expect(store.failuresSince('sshd', 0).map((f) => f.line)).toEqual(['kept']);
  });

  it('supersedes an active row from a ban written on this thread, as one thread would', async () => {
    const a = v4(next++);
    expect(await tick([a])).toBeUndefined();
    await threadUp();
    const later = { ...ban(a), bannedAt: NOW + 5, expiresAt: NOW + 60_005 };
    const outcome = new Promise<Error | undefined>((resolve) =>
      store.recordBansInTick(
        [{ order: later, matches: [] }, ...fresh(THREAD_MIN).map((x) => ({ order: ban(x), matches: [] }))],
        resolve,
      ),
    );
    expect(await outcome).toBeUndefined();
    expect(store.activeBans('sshd', NOW + 5).filter((b) => b.address.text === a.text)).toEqual([
      { jail: 'sshd', address: a, bannedAt: NOW + 5, expiresAt: NOW + 60_005, failures: 3 },
    ]);
    expect(store.banCount(a, 'sshd')).toBe(2);
  });
});

describe('BanWriter: batches that waited', () => {
  it('are written together, in one transaction that commits or fails them all, and answered in order', async () => {
    const w = BanWriter.start(path)!;
    for (let i = 0; i < 400 && !w.ready; i++) await new Promise((r) => setTimeout(r, 5));
    expect(w.ready).toBe(true);
    const row = (address: string) => [
      'sshd',
      address,
      4,
      NOW,
      NOW + 60_000,
      3,
      [`line of ${address}`],
      false,
    ];
    const other = new Database(path);
    other.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON bans WHEN NEW.address = '10.9.0.3' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    // The write lock held here: the thread's first transaction waits for it (busy_timeout) while
    // the next three batches arrive, and those three then go in one transaction.
    other.exec('BEGIN IMMEDIATE');
    const order: number[] = [];
    const send = (i: number) =>
      new Promise<string>((resolve) =>
        w.write({ rows: row(`10.9.0.${i}`), cleared: [] }, (error) => {
          order.push(i);
          resolve(error?.message ?? 'written');
        }),
      );
    const first = send(1);
    await new Promise((r) => setTimeout(r, 200));
    const rest = [2, 3, 4].map(send);
    other.exec('COMMIT');
    expect(await first).toBe('written');
    expect(await Promise.all(rest)).toEqual(['refused', 'refused', 'refused']);
    expect(order).toEqual([1, 2, 3, 4]);
    const rows = other.prepare('SELECT address FROM bans ORDER BY id').all() as { address: string }[];
    other.close();
    expect(rows.map((r) => r.address)).toEqual(['10.9.0.1']);
    w.close();
  });
});

describe('BanWriter: a thread that has stopped', () => {
  it('is no longer ready, and fails a batch sent to it instead of leaving it unanswered', async () => {
    const w = BanWriter.start(path)!;
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(ok()).toBe(true);
    };
    await until(() => w.ready);
    w.close(); // the thread closes its connection and ends
    await until(() => !w.ready);
    const error = await new Promise<Error | undefined>((resolve) =>
      w.write({ rows: [], cleared: [] }, resolve),
    );
    expect(error?.message).toMatch(/writer thread stopped/);
  });
});
