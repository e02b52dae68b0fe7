import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReader } from '../../../src/tail/file-reader.ts';
import type { FilePosition } from '../../../src/tail/ports.ts';
import { fdsInto } from './fs-kit.ts';

let dir: string;
let file: string;
const readers: FileReader[] = [];

/** A reader of `file` that records lines; closed after the test. */
function reader(opts: { stored?: FilePosition; start?: 'head' | 'tail'; retireAfterMs?: number } = {}) {
  const lines: string[] = [];
  const r = new FileReader({
    path: file,
    emit: (l) => lines.push(l),
    start: () => opts.start ?? 'tail',
    stored: opts.stored,
    retireAfterMs: opts.retireAfterMs ?? 0,
  });
  readers.push(r);
  return { r, lines };
}

/** Runs a reader over the file as it is and returns where it stopped. */
async function stoppedAt(start: 'head' | 'tail' = 'head'): Promise<FilePosition> {
  const { r } = reader({ start });
  await r.poke();
  await r.close();
  return r.position()!;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-resume-'));
  file = join(dir, 'app.log');
});

afterEach(async () => {
  for (const r of readers.splice(0)) await r.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('FileReader: positions', () => {
  it('reports only delivered lines: a partial last line is not part of the position', async () => {
    writeFileSync(file, 'one\ntwo\npart');
    const { r, lines } = reader({ start: 'head' });
    await r.poke();
    expect(lines).toEqual(['one', 'two']);
    expect(r.position()).toMatchObject({ offset: 8 });
    expect(r.position()!.hash).toMatch(/^[0-9a-f]{64}$/);
    appendFileSync(file, 'ial\n');
    await r.poke();
    expect(r.position()).toMatchObject({ offset: 16 });
  });

  it('starts a never-seen file after its last complete line with tail, at 0 with head', async () => {
    writeFileSync(file, 'old\nbeing writ');
    const tail = reader({ start: 'tail' });
    const head = reader({ start: 'head' });
    await Promise.all([tail.r.poke(), head.r.poke()]);
    appendFileSync(file, 'ten\n');
    await Promise.all([tail.r.poke(), head.r.poke()]);
    expect(tail.lines).toEqual(['being written']);
    expect(head.lines).toEqual(['old', 'being written']);
  });

  it('resumes at the stored offset: lines written while stopped are read once', async () => {
    writeFileSync(file, 'a\nb\n');
    const stored = await stoppedAt();
    appendFileSync(file, 'c\nd\n');
    const { r, lines } = reader({ stored, start: 'tail' });
    await r.poke();
    expect(lines).toEqual(['c', 'd']);
  });

  it('ignores `tail` for a file it has a position for', async () => {
    writeFileSync(file, 'a\n');
    const stored = await stoppedAt('tail');
    expect(stored.offset).toBe(2);
    appendFileSync(file, 'while down\n');
    const { r, lines } = reader({ stored, start: 'tail' });
    await r.poke();
    expect(lines).toEqual(['while down']);
  });

  it('after a rename + create while stopped, drains the renamed file, then reads the new one whole', async () => {
    writeFileSync(file, 'a\nb\n');
    const stored = await stoppedAt();
    appendFileSync(file, 'c\n');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new-1\n');
    const { r, lines } = reader({ stored, start: 'tail' });
    await r.poke();
    expect(lines).toEqual(['c', 'new-1']);
  });

  it('keeps draining the renamed file while its writer has not reopened yet', async () => {
    writeFileSync(file, 'a\n');
    const stored = await stoppedAt();
    renameSync(file, `${file}.1`);
    writeFileSync(file, '');
    const { r, lines } = reader({ stored, retireAfterMs: 60_000 });
    await r.poke();
    expect(r.retiring).toBe(true);
    appendFileSync(`${file}.1`, 'late\n');
    appendFileSync(file, 'new\n');
    await r.poke();
    expect(lines.sort()).toEqual(['late', 'new']);
    expect(fdsInto(`${file}.1`)).toHaveLength(1);
  });

  it('after copytruncate while stopped, reads the rest from the copy, then the file from its start', async () => {
    writeFileSync(file, 'a\nb\n');
    const stored = await stoppedAt();
    appendFileSync(file, 'c\n');
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    appendFileSync(file, 'after-1\nafter-2\nafter-3\n');
    const { r, lines } = reader({ stored, start: 'tail' });
    await r.poke();
    expect(lines).toEqual(['c', 'after-1', 'after-2', 'after-3']);
    expect(fdsInto(`${file}.1`)).toEqual([]);
  });

  it('reads the new file from its start when the old one is gone (compressed)', async () => {
    writeFileSync(file, 'a\n');
    const stored = await stoppedAt();
    appendFileSync(file, 'lost\n');
    renameSync(file, `${file}.1.gz`);
    writeFileSync(file, 'new\n');
    const { r, lines } = reader({ stored, start: 'tail' });
    await r.poke();
    expect(lines).toEqual(['new']);
  });

  it('drains the renamed file even when the path is not back yet', async () => {
    writeFileSync(file, 'a\n');
    const stored = await stoppedAt();
    appendFileSync(file, 'b\n');
    renameSync(file, `${file}.1`);
    const { r, lines } = reader({ stored });
    await r.poke();
    expect(lines).toEqual(['b']);
    writeFileSync(file, 'c\n');
    await r.poke();
    expect(lines).toEqual(['b', 'c']);
  });

  it('treats a new file that reuses the inode as a new file (the first line differs)', async () => {
    writeFileSync(file, 'first of old\nmore\n');
    const stored = await stoppedAt();
    // Same inode, other content, longer than the stored offset: only the first line tells.
    writeFileSync(file, 'first of new\nx\ny\nz\n');
    const { r, lines } = reader({ stored, start: 'tail' });
    await r.poke();
    expect(lines).toEqual(['first of new', 'x', 'y', 'z']);
  });
});

describe('FileReader: rotation while reading', () => {
  it('recovers from the copy what copytruncate took before it was read', async () => {
    writeFileSync(file, '');
    const { r, lines } = reader();
    await r.poke();
    appendFileSync(file, 'read\n');
    await r.poke();
    appendFileSync(file, 'unread-1\nunread-2\n');
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    appendFileSync(file, 'fresh\n');
    await r.poke();
    expect(lines).toEqual(['read', 'unread-1', 'unread-2', 'fresh']);
  });

  it('notices a truncated file that grew back past the offset, by its first line', async () => {
    writeFileSync(file, 'header one\n');
    const { r, lines } = reader({ start: 'head' });
    await r.poke();
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    appendFileSync(file, 'header two\nand more lines than before\n');
    await r.poke();
    expect(lines).toEqual(['header one', 'header two', 'and more lines than before']);
  });

  it('lets a renamed-away file go once it has been quiet for retireAfterMs', async () => {
    writeFileSync(file, '');
    const { r } = reader({ retireAfterMs: 50 });
    await r.poke();
    renameSync(file, `${file}.1`);
    writeFileSync(file, '');
    await r.poke();
    expect(r.retiring).toBe(true);
    await new Promise((ok) => setTimeout(ok, 80));
    await r.poke();
    expect(r.retiring).toBe(false);
    expect(fdsInto(`${file}.1`)).toEqual([]);
    unlinkSync(`${file}.1`);
  });
});
