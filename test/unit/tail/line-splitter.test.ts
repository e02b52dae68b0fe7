import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/tail/line-splitter.ts';

function split(chunks: (string | Buffer)[], max?: number) {
  const s = new LineSplitter(max);
  const out: string[] = [];
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c, (l) => out.push(l));
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
});
