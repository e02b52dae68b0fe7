import { describe, expect, it } from 'vitest';
import { decodeLine, LineSplitter } from '../../../src/tail/line-splitter.ts';

function split(chunks: (string | Buffer)[], max?: number) {
  const s = new LineSplitter(max);
  const out: string[] = [];
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c, (l) => out.push(l));
  return { out, dropped: s.dropped };
}

/**
 * split() with a run handler, as a reader with filters pushes: every complete line reaches the
 * handler, decoded as RunHandler's contract says (a line over maxLine dropped and counted), and
 * none is emitted one by one, not even one a read cut in two.
 */
function splitRuns(chunks: (string | Buffer)[], max?: number) {
  const s = new LineSplitter(max);
  const out: string[] = [];
  let emitted = 0;
  for (const c of chunks)
    s.push(
      typeof c === 'string' ? Buffer.from(c) : c,
      () => emitted++,
      (buf, from, to, maxLine) => {
        let dropped = 0;
        for (let at = from; at < to; ) {
          const nl = buf.indexOf(0x0a, at);
          if (nl - at > maxLine) dropped++;
          else out.push(decodeLine(buf, at, nl));
          at = nl + 1;
        }
        return dropped;
      },
    );
  expect(emitted).toBe(0);
  return { out, dropped: s.dropped };
}

describe('LineSplitter', () => {
  it('emits complete lines only, joining across chunks and stripping CR', () => {
    expect(split(['a\nb', 'c\r\n', 'partial']).out).toEqual(['a', 'bc']);
  });

  it('decodes a multi-byte character split between reads', () => {
    const bytes = Buffer.from('é\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1)]).out).toEqual(['é']);
  });

  it('turns invalid UTF-8 and NUL bytes into text without throwing', () => {
    const { out } = split([Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a])]);
    expect(out).toEqual(['\ufffd\ufffd\u0000A']);
  });

  it('drops an overlong line whole, and the next line survives', () => {
    const { out, dropped } = split(['x'.repeat(30), 'y'.repeat(30), '\nok\n'], 50);
    expect(out).toEqual(['ok']);
    expect(dropped).toBe(1);
  });

  it('cuts random chunks of ASCII and UTF-8 text as one decode of the whole stream would, line by line or in runs', () => {
    let seed = 1;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 4294967296;
    };
    const pieces = ['ab', 'x', '\n', '\r\n', '\r', 'é', '😀', '\n\n', 'long line '.repeat(8)];
    for (let round = 0; round < 200; round++) {
      const parts: Buffer[] = [];
      for (let i = Math.floor(next() * 40); i > 0; i--) {
        parts.push(Buffer.from(pieces[Math.floor(next() * pieces.length)]!));
        if (next() < 0.05) parts.push(Buffer.from([0xff, 0xc3]));
      }
      const all = Buffer.concat(parts);
      const chunks: Buffer[] = [];
      for (let at = 0; at < all.length; ) {
        const size = 1 + Math.floor(next() * 12);
        chunks.push(all.subarray(at, at + size));
        at += size;
      }
      const max = 30;
      const whole = all.subarray(0, all.lastIndexOf(0x0a) + 1);
      const want = whole.length === 0 ? [] : whole.subarray(0, -1).toString('latin1').split('\n');
      const expected = want
        .map((l) => Buffer.from(l, 'latin1'))
        .filter((b) => b.length <= max)
        .map((b) => b.subarray(0, b.at(-1) === 0x0d ? -1 : undefined).toString('utf8'));
      for (const got of [split(chunks, max), splitRuns(chunks, max)]) {
        expect(got.out, JSON.stringify(all.toString('latin1'))).toEqual(expected);
        expect(got.dropped).toBe(want.length - expected.length + (all.length - whole.length > max ? 1 : 0));
      }
    }
  });
});
