// failuresOf: what a ban reads back of its address's failures (jail/evidence.ts), from the file
// and from the queue not written yet, with the filter's captures.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Address } from '../../../src/core/address.ts';
import type { Failure } from '../../../src/core/types.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';

const A: Address = { text: '192.0.2.1', family: 4 };
const B: Address = { text: '2001:db8::2', family: 6 };
const NOW = 1_700_000_000_000;

const failure = (address: Address, time: number, fields?: Record<string, string>): Failure => ({
  address,
  time,
  line: `fail ${time}`,
  ...(fields ? { fields } : {}),
});

let dir: string;
let path: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-store-'));
  path = join(dir, 'banhammer.sqlite3');
  store = new SqliteStore(path);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore.failuresOf', () => {
  it('reads one address in one jail, written and queued, oldest first, since inclusive, with captures', () => {
    store.recordFailure('sshd', failure(A, NOW - 5));
    store.recordFailure('sshd', failure(A, NOW + 2, { user: 'root' }));
    store.flush();
    store.recordFailure('sshd', failure(A, NOW));
    store.recordFailure('web', failure(A, NOW + 1));
    store.recordFailure('sshd', failure(B, NOW + 1));
    const expected = [failure(A, NOW), failure(A, NOW + 2, { user: 'root' })];
    expect(store.failuresOf('sshd', A, NOW, 3)).toEqual(expected);
    // The captures are in the file: a restart reads them back too.
    store.close();
    store = new SqliteStore(path);
    expect(store.failuresOf('sshd', A, NOW, 3)).toEqual(expected);
  });

  it('leaves the file unread once the queue holds as many as were counted', () => {
    store.recordFailure('sshd', failure(A, NOW));
    store.flush();
    store.recordFailure('sshd', failure(A, NOW + 1));
    store.recordFailure('sshd', failure(A, NOW + 2));
    expect(store.failuresOf('sshd', A, 0, 2)).toEqual([failure(A, NOW + 1), failure(A, NOW + 2)]);
    expect(store.failuresOf('sshd', A, 0, 3)).toEqual([
      failure(A, NOW),
      failure(A, NOW + 1),
      failure(A, NOW + 2),
    ]);
  });

  it('follows the queue through bans, clears, purges and clock steps', () => {
    store.recordFailure('sshd', failure(A, NOW));
    store.recordFailure('web', failure(A, NOW));
    store.recordFailure('sshd', failure(B, NOW));
    const order = { jail: 'sshd', address: A, bannedAt: NOW, expiresAt: null, failures: 1, restored: false };
    store.recordBans([{ order, matches: [] }]);
    expect(store.failuresOf('sshd', A, 0, 1)).toEqual([]);
    expect(store.failuresOf('web', A, 0, 1)).toEqual([failure(A, NOW)]);
    store.clearFailures('web', A);
    expect(store.failuresOf('web', A, 0, 1)).toEqual([]);

    store.recordFailure('sshd', failure(B, NOW - 10));
    store.purge(NOW, 0);
    expect(store.failuresOf('sshd', B, 0, 9)).toEqual([failure(B, NOW)]);
    store.shiftFailures('sshd', 1000);
    expect(store.failuresOf('sshd', B, NOW + 1000, 1)).toEqual([{ ...failure(B, NOW), time: NOW + 1000 }]);
  });
});
