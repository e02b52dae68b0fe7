// The looks a reader's pass starts from: look() through libuv's thread pool and lookSync() on
// the event loop give the same answers, and what they read ahead is what drain() delivers first.
// With a pair of larger buffers, drain() reads each next part while the last one's lines are handled.

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

  describe('drain() with a pair of buffers lent', () => {
    /** Records each read as it is issued and settles, around the file's own handle. */
    function traceReads(f: OpenFile, trace: string[]) {
      const read = f.handle.read.bind(f.handle);
      let inFlight = 0;
      f.handle.read = (async (buffer: Buffer, offset: number, length: number, position: number) => {
        inFlight++;
        trace.push(`read ${position}`);
        try {
          return await read(buffer, offset, length, position);
        } finally {
          inFlight--;
        }
      }) as typeof f.handle.read;
      return { inFlight: () => inFlight };
    }

    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 13)}`);
    const text = lines.map((l) => `${l}\n`).join('');

    it('delivers every line once, in order, reading the next part before handling the last', async () => {
      const path = join(dir, 'a.log');
      writeFileSync(path, text);
      file = (await OpenFile.open(path))!;
      const trace: string[] = [];
      traceReads(file, trace);
      const got: string[] = [];
      const pair = [Buffer.alloc(40), Buffer.alloc(40)] as const;
      const sink = {
        line: (l: string) => got.push(l),
        run: (buf: Buffer, from: number, to: number) => {
          trace.push('handle');
          for (const l of buf.toString('utf8', from, to - 1).split('\n')) got.push(l);
          return 0;
        },
        big: () => pair,
      };
      expect(await file.drain(Buffer.alloc(16), sink)).toBe(text.length);
      expect(got).toEqual(lines);
      expect(file.delivered).toBe(text.length);
      // After the first, full read: each read is out before the part read before it is
      // handled; the last one finds the end, after every line was handled.
      const reads = trace.filter((t) => t.startsWith('read'));
      expect(reads.length).toBeGreaterThan(20);
      expect(trace[1]).toBe(reads[1]);
      for (const r of reads.slice(1, -1)) expect(trace[trace.indexOf(r) + 1]).toBe('handle');
      expect(trace.at(-1)).toBe(`read ${text.length}`);
    });

    it('a handler that throws: drain fails only once the read out has settled', async () => {
      const path = join(dir, 'a.log');
      writeFileSync(path, text);
      file = (await OpenFile.open(path))!;
      const reads = traceReads(file, []);
      const sink = {
        line: () => {},
        run: () => {
          throw new Error('handler failed');
        },
        big: () => [Buffer.alloc(40), Buffer.alloc(40)] as const,
      };
      const buf = Buffer.alloc(40);
      let outAtFailure = -1;
      await file.drain(buf, sink).catch((err: Error) => {
        outAtFailure = reads.inFlight();
        expect(err.message).toBe('handler failed');
      });
      expect(outAtFailure).toBe(0);
    });
  });
});
