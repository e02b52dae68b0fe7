// A directory's own fs.watch: every write, creation and rename of an entry reported by path, and
// nothing once closed; a directory that is not there yet cannot be watched.

import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchDirWrites } from '../../../src/tail/dir-writes.ts';
import { eventually, sleep } from './fs-kit.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-dir-writes-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('watchDirWrites', () => {
  it('reports each write, creation and rename in the directory by the entry path', async () => {
    const file = join(dir, 'auth.log');
    writeFileSync(file, '');
    const seen: string[] = [];
    const close = watchDirWrites(
      dir,
      (p) => seen.push(p),
      (err) => {
        throw err;
      },
    );
    expect(close).toBeDefined();
    try {
      appendFileSync(file, 'one\n');
      await eventually(() => expect(seen).toContain(file));
      seen.length = 0;
      renameSync(file, `${file}.1`);
      writeFileSync(file, 'two\n');
      await eventually(() => expect(seen).toEqual(expect.arrayContaining([file, `${file}.1`])));
    } finally {
      close?.();
    }
  });

  it('reports nothing once closed', async () => {
    const file = join(dir, 'auth.log');
    writeFileSync(file, '');
    const seen: string[] = [];
    watchDirWrites(
      dir,
      (p) => seen.push(p),
      () => {},
    )?.();
    appendFileSync(file, 'one\n');
    await sleep(100);
    expect(seen).toEqual([]);
  });

  it('cannot watch a directory that does not exist', () => {
    expect(
      watchDirWrites(
        join(dir, 'later'),
        () => {},
        () => {},
      ),
    ).toBeUndefined();
  });
});
