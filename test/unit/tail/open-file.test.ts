// The looks a reader's pass starts from: look() through libuv's thread pool and lookSync() on
// the event loop give the same answers, and what they read ahead is what drain() delivers first.

import { appendFileSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstLineHash } from '../../../src/tail/fingerprint.ts';
import { type Looks, OpenFile } from '../../../src/tail/open-file.ts';

let dir: string;
let file: OpenFile | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-open-file-'));
});
afterEach(async () => {
  await file?.close();
  file = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Both looks, each without its stat of the path (reads move its atime) but with that file's id. */
async function both(f: OpenFile) {
  const a = Buffer.alloc(64);
  const b = Buffer.alloc(64);
  const plain = ({ atPath, ...rest }: Looks) => ({ ...rest, at: atPath && `${atPath.dev}:${atPath.ino}` });
  const async = plain(await f.look(a));
  const sync = plain(f.lookSync(b));
  return { async, sync, a, b };
}

describe('OpenFile looks', () => {
  it('agree on size, first-line hash, what is at the path and the bytes after the offset', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'first line\nsecond\n');
    file = (await OpenFile.open(path))!;
    file.seek(11);
    appendFileSync(path, 'third\n');
    const { async, sync, a, b } = await both(file);
    expect(sync).toEqual(async);
    expect(sync.size).toBe(statSync(path).size);
    expect(sync.hash).toBe(await firstLineHash(file.handle, sync.size));
    expect(sync.at).toBe(`${file.dev}:${file.ino}`);
    expect(a.subarray(0, async.ahead).toString()).toBe('second\nthird\n');
    expect(b.subarray(0, sync.ahead).toString()).toBe('second\nthird\n');
  });

  it('agree on a file renamed away and one with no complete first line', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'no newline yet');
    file = (await OpenFile.open(path))!;
    renameSync(path, `${path}.1`);
    const { async, sync } = await both(file);
    expect(sync).toEqual(async);
    expect(sync).toMatchObject({ at: undefined, hash: '', ahead: 14 });
  });

  it('drain() delivers what was read ahead first, then reads on', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, 'x\n'.repeat(50));
    file = (await OpenFile.open(path))!;
    const buf = Buffer.alloc(16);
    const { ahead } = file.lookSync(buf);
    const lines: string[] = [];
    expect(await file.drain(buf, (l) => lines.push(l), ahead)).toBe(100);
    expect(lines).toHaveLength(50);
    expect(file.delivered).toBe(100);
  });
});
