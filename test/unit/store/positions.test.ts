import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Address } from '../../../src/core/address.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import type { FilePosition } from '../../../src/tail/ports.ts';

const A: Address = { text: '192.0.2.1', family: 4 };
const NOW = 1_700_000_000_000;
// Beyond 2^53 and 2^63: inode and device numbers are unsigned 64-bit.
const P: FilePosition = {
  dev: '18446744073709551615',
  ino: '9007199254740993',
  hash: 'ab'.repeat(32),
  offset: 1234,
};

let dir: string;
let path: string;
let now: number;
let store: SqliteStore | undefined;

function open(): SqliteStore {
  store = new SqliteStore(path, { now: () => now });
  return store;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-positions-'));
  path = join(dir, 'state.sqlite3');
  now = NOW;
});

afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore: file positions', () => {
  it('keeps positions exactly across close and reopen, one row per path', () => {
    const s = open();
    expect(s.filePosition('/var/log/auth.log')).toBeUndefined();
    s.saveFilePositions(new Map([['/var/log/auth.log', { ...P, offset: 1 }]]));
    s.saveFilePositions(
      new Map([
        ['/var/log/auth.log', P],
        ['/var/log/secure', { ...P, ino: '7' }],
      ]),
    );
    s.close();
    const again = open();
    expect(again.filePosition('/var/log/auth.log')).toEqual(P);
    expect(again.filePosition('/var/log/secure')).toEqual({ ...P, ino: '7' });
  });

  it('writes failures queued before a position in the same save, never after it', () => {
    const s = open();
    s.recordFailure('sshd', { address: A, time: NOW, line: 'Failed for root from 192.0.2.1' });
    s.saveFilePositions(new Map([['/var/log/auth.log', P]]));
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM failures').get()).toEqual({ n: 1 });
      expect(db.prepare('SELECT offset FROM file_positions').get()).toEqual({ offset: 1234 });
    } finally {
      db.close();
    }
  });

  it('forgets positions and cursors not saved since dbpurgeage', () => {
    const s = open();
    s.saveFilePositions(new Map([['/old', P]]));
    s.saveJournalCursor('old-jail', 's=1');
    now = NOW + 10_000;
    s.saveFilePositions(new Map([['/new', P]]));
    s.saveJournalCursor('new-jail', 's=2');
    s.purge(0, NOW + 5_000);
    expect([s.filePosition('/old'), s.filePosition('/new')]).toEqual([undefined, P]);
    expect([s.journalCursor('old-jail'), s.journalCursor('new-jail')]).toEqual([undefined, 's=2']);
  });
});

describe('SqliteStore: journal cursors', () => {
  it('keeps the last cursor per name', () => {
    const s = open();
    s.saveJournalCursor('sshd', 's=abc;i=1');
    s.saveJournalCursor('sshd', 's=abc;i=2');
    s.close();
    expect(open().journalCursor('sshd')).toBe('s=abc;i=2');
    expect(store!.journalCursor('nginx')).toBeUndefined();
  });
});
