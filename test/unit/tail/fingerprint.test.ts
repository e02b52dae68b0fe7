import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPredecessor, HASH_SPAN, identify } from '../../../src/tail/fingerprint.ts';
import type { FilePosition } from '../../../src/tail/ports.ts';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-fingerprint-'));
  file = join(dir, 'app.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function idOf(path: string) {
  const h = await open(path, 'r');
  try {
    return await identify(h);
  } finally {
    await h.close();
  }
}

async function positionOf(path: string): Promise<FilePosition> {
  const id = await idOf(path);
  return { dev: id.dev, ino: id.ino, hash: id.hash, offset: id.size };
}

describe('identify', () => {
  it('hashes the first complete line only; none while it is incomplete', async () => {
    writeFileSync(file, 'first');
    expect((await idOf(file)).hash).toBe('');
    appendFileSync(file, ' line\n');
    const once = await idOf(file);
    appendFileSync(file, 'second line\n');
    const twice = await idOf(file);
    expect(once.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(twice).toEqual({ ...once, size: twice.size });
  });

  it('knows an overlong first line by its first HASH_SPAN bytes', async () => {
    writeFileSync(file, 'x'.repeat(HASH_SPAN + 10));
    const partial = await idOf(file);
    appendFileSync(file, 'more\n');
    expect(partial.hash).not.toBe('');
    expect((await idOf(file)).hash).toBe(partial.hash);
  });

  it('gives device and inode as decimal text', async () => {
    writeFileSync(file, 'a\n');
    const id = await idOf(file);
    expect(id.dev).toMatch(/^\d+$/);
    expect(id.ino).toMatch(/^\d+$/);
  });
});

describe('findPredecessor', () => {
  it('finds a renamed file by inode and first line', async () => {
    writeFileSync(file, 'a\n');
    const known = await positionOf(file);
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'a\n');
    expect(await findPredecessor(file, known, await idOf(file))).toEqual({
      path: `${file}.1`,
      kind: 'renamed',
    });
  });

  it('finds a copy by first line when it is at least as long as the offset', async () => {
    writeFileSync(file, 'a\nb\n');
    const known = await positionOf(file);
    copyFileSync(file, `${file}-20240101`);
    writeFileSync(`${file}.2`, 'a\n');
    writeFileSync(file, '');
    expect(await findPredecessor(file, known, await idOf(file))).toEqual({
      path: `${file}-20240101`,
      kind: 'copy',
    });
  });

  it('ignores compressed files, other first lines and other names', async () => {
    writeFileSync(file, 'a\n');
    const known = await positionOf(file);
    copyFileSync(file, `${file}.1.gz`);
    copyFileSync(file, join(dir, 'other.log'));
    writeFileSync(`${file}.1`, 'not a\n');
    expect(await findPredecessor(file, known)).toBeUndefined();
  });
});
