import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReader } from '../../../src/tail/file-reader.ts';
import { fdsInto } from './fs-kit.ts';

let dir: string;
let file: string;
const readers: FileReader[] = [];

/** A reader of `file` that records lines; closed after the test. */
function reader(fromEnd: boolean): { r: FileReader; lines: string[] } {
  const lines: string[] = [];
  const r = new FileReader({
    path: file,
    emit: (l) => lines.push(l),
    start: () => (fromEnd ? 'tail' : 'head'),
    retireAfterMs: 0,
  });
  readers.push(r);
  return { r, lines };
}

const openCount = (path: string) => fdsInto(path).length;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-reader-'));
  file = join(dir, 'app.log');
});

afterEach(async () => {
  for (const r of readers.splice(0)) await r.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('FileReader', () => {
  it('skips existing content when opened from the end, and reads a new file whole', async () => {
    writeFileSync(file, 'old\n');
    const end = reader(true);
    const start = reader(false);
    await Promise.all([end.r.poke(), start.r.poke()]);
    appendFileSync(file, 'new\n');
    await Promise.all([end.r.poke(), start.r.poke()]);
    expect(end.lines).toEqual(['new']);
    expect(start.lines).toEqual(['old', 'new']);
  });

  it('opens once and reads each line once under concurrent pokes', async () => {
    writeFileSync(file, 'old\n');
    const { r, lines } = reader(true);
    // The first pokes race the open: none may open the file again, from offset 0.
    await Promise.all(Array.from({ length: 20 }, () => r.poke()));
    expect(openCount(file)).toBe(1);
    expect(lines).toEqual([]);
    appendFileSync(file, 'a\n');
    await Promise.all(Array.from({ length: 20 }, () => r.poke()));
    appendFileSync(file, 'b\n');
    await r.poke();
    expect(lines).toEqual(['a', 'b']);
  });

  it('waits for a missing file and then reads it from its start, even if asked to skip', async () => {
    const { r, lines } = reader(true);
    await r.poke();
    expect(r.isOpen).toBe(false);
    writeFileSync(file, 'one\n');
    await r.poke();
    expect(r.isOpen).toBe(true);
    expect(lines).toEqual(['one']);
  });

  it('starts over after truncation, dropping a partial line', async () => {
    writeFileSync(file, 'first line\npartial');
    const { r, lines } = reader(false);
    await r.poke();
    truncateSync(file, 0);
    appendFileSync(file, 'x\n');
    await r.poke();
    expect(lines).toEqual(['first line', 'x']);
  });

  it('drains the old file before switching to a replacement', async () => {
    writeFileSync(file, '');
    const { r, lines } = reader(true);
    await r.poke();
    appendFileSync(file, 'last old\n');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'first new\n');
    await r.poke();
    expect(lines).toEqual(['last old', 'first new']);
    expect(openCount(file)).toBe(1);
    expect(openCount(`${file}.1`)).toBe(0);
  });

  it('keeps reading the old file while the path is missing mid-rotation', async () => {
    writeFileSync(file, '');
    const { r, lines } = reader(true);
    await r.poke();
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, 'late write\n');
    await r.poke();
    writeFileSync(file, 'new\n');
    await r.poke();
    expect(lines).toEqual(['late write', 'new']);
  });

  it('reads nothing and opens nothing after close', async () => {
    writeFileSync(file, '');
    const { r, lines } = reader(true);
    await r.poke();
    const pending = r.poke();
    await r.close();
    await pending;
    appendFileSync(file, 'after\n');
    await r.poke();
    expect(openCount(file)).toBe(0);
    expect(lines).toEqual([]);
  });

  it('rejects the poke when a subscriber throws, and reads on at the next poke', async () => {
    writeFileSync(file, '');
    let fail = true;
    const lines: string[] = [];
    const r = new FileReader({
      path: file,
      emit: (l) => {
        if (fail) throw new Error('boom');
        lines.push(l);
      },
      start: () => 'tail',
    });
    readers.push(r);
    await r.poke();
    appendFileSync(file, 'a\n');
    await expect(r.poke()).rejects.toThrow('boom');
    fail = false;
    appendFileSync(file, 'b\n');
    await r.poke();
    expect(lines).toEqual(['b']);
  });
});
