import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Address } from '../../../src/core/address.ts';
import type { BanOrder } from '../../../src/core/types.ts';
import { ROWS_PER_INSERT } from '../../../src/store/ban-rows.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';

const NOW = 1_700_000_000_000;
const v4 = (i: number): Address => ({ text: `10.0.${i >> 8}.${i & 255}`, family: 4 });
const ban = (address: Address, bannedAt = NOW, jail = 'sshd'): BanOrder => ({
  jail,
  address,
  bannedAt,
  expiresAt: bannedAt + 60_000,
  failures: 3,
  restored: false,
});

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-record-bans-'));
  store = new SqliteStore(join(dir, 'banhammer.sqlite3'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore.recordBans: a batch', () => {
  // More than two multi-row statements' worth, and a remainder written row by row.
  const n = ROWS_PER_INSERT * 2 + 5;

  it('writes every ban with its lines, in multi-row statements and singly', () => {
    const orders = Array.from({ length: n }, (_, i) => ban(v4(i)));
    store.recordBans(orders.map((order, i) => ({ order, matches: [`line ${i}`] })));
    expect(store.activeBans('sshd', NOW).map((b) => b.address.text)).toEqual(
      orders.map((o) => o.address.text),
    );
    expect(store.banMatches(v4(n - 1), 'sshd')).toEqual([`line ${n - 1}`]);
    expect(store.totalBans('sshd')).toBe(n);
  });

  it('supersedes earlier active rows, whether counts were read or not', () => {
    store.recordBans([{ order: ban(v4(1)), matches: [] }]);
    store.banCount(v4(1), 'sshd'); // counts read: lifts only where a ban is on record
    const orders = Array.from({ length: n }, (_, i) => ban(v4(i), NOW + 1000));
    store.recordBans(orders.map((order) => ({ order, matches: [] })));
    const active = store.activeBans('sshd', NOW + 1000);
    expect(active).toHaveLength(n);
    expect(active.every((b) => b.bannedAt === NOW + 1000)).toBe(true);
    expect(store.banCount(v4(1), 'sshd')).toBe(2);
  });

  it('keeps the later of two bans of one address in one batch, as one ban at a time would', () => {
    store.banCount(v4(1), 'sshd');
    const orders = [ban(v4(1)), ...Array.from({ length: n }, (_, i) => ban(v4(i + 2))), ban(v4(1), NOW + 5)];
    store.recordBans(orders.map((order) => ({ order, matches: [] })));
    expect(store.activeBans('sshd', NOW + 5).filter((b) => b.address.text === v4(1).text)).toEqual([
      { jail: 'sshd', address: v4(1), bannedAt: NOW + 5, expiresAt: NOW + 60_005, failures: 3 },
    ]);
  });

  it('counts bans per jail and over every jail, as read from the file and as recorded after', () => {
    store.recordBans(
      [ban(v4(1), NOW, 'web'), ban(v4(1), NOW, 'sshd')].map((order) => ({ order, matches: [] })),
    );
    // A fresh store: the counts are read from the file at the first count.
    store.close();
    store = new SqliteStore(join(dir, 'banhammer.sqlite3'));
    expect([
      store.banCount(v4(1), 'sshd'),
      store.banCount(v4(1), 'web'),
      store.banCount(v4(1), undefined),
    ]).toEqual([1, 1, 2]);
    store.recordBans(
      [ban(v4(1), NOW + 1, 'mail'), ban(v4(1), NOW + 2, 'web'), ban(v4(2), NOW + 2, 'web')].map((order) => ({
        order,
        matches: [],
      })),
    );
    expect(['sshd', 'web', 'mail', undefined].map((jail) => store.banCount(v4(1), jail))).toEqual([
      1, 2, 1, 4,
    ]);
    expect([
      store.banCount(v4(2), 'web'),
      store.banCount(v4(2), 'sshd'),
      store.banCount(v4(2), undefined),
    ]).toEqual([1, 0, 1]);
    // The web ban of 10.0.0.1 superseded its earlier row there; the other jails keep theirs.
    expect(['sshd', 'web', 'mail'].map((jail) => store.activeBans(jail, NOW + 2).length)).toEqual([1, 2, 1]);
    expect(store.activeBans('web', NOW + 2).find((b) => b.address.text === v4(1).text)?.bannedAt).toBe(
      NOW + 2,
    );
  });

  it("forgets each banned address's failures in its own jail only, written and queued", () => {
    for (let i = 0; i < 3; i++) {
      store.recordFailure('sshd', { address: v4(i), time: NOW, line: `a ${i}` });
      store.recordFailure('web', { address: v4(i), time: NOW, line: `w ${i}` });
    }
    store.flush();
    store.recordFailure('sshd', { address: v4(0), time: NOW + 1, line: 'queued' });
    store.recordBans([0, 1].map((i) => ({ order: ban(v4(i)), matches: [] })));
    expect(store.failuresSince('sshd', 0).map((f) => f.line)).toEqual(['a 2']);
    expect(store.failuresSince('web', 0)).toHaveLength(3);
  });
});

describe('SqliteStore: queued failures a ban clears', () => {
  it('are left out of the queue whether or not it was compacted, and the others are written in order', () => {
    // 40 addresses, 2 queued failures each; bans of 10, then of 15 more (past half: compacted).
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 40; i++)
        store.recordFailure('sshd', { address: v4(i), time: NOW + round, line: `f ${i} ${round}` });
    store.recordBans(Array.from({ length: 10 }, (_, i) => ({ order: ban(v4(i)), matches: [] })));
    expect(store.failuresOf('sshd', v4(3), 0, 2)).toEqual([]);
    expect(store.failuresOf('sshd', v4(12), 0, 2).map((f) => f.line)).toEqual(['f 12 0', 'f 12 1']);
    store.recordBans(Array.from({ length: 15 }, (_, i) => ({ order: ban(v4(10 + i)), matches: [] })));
    store.flush();
    const left = store.failuresSince('sshd', 0).map((f) => f.line);
    const expected = [0, 1].flatMap((round) => Array.from({ length: 15 }, (_, i) => `f ${25 + i} ${round}`));
    expect(left).toEqual(expected);
  });
});
