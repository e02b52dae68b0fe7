import { describe, expect, it } from 'vitest';
import { endBeforeCr } from '../../../src/core/line-end.ts';

const ends = (text: string, start = 0) => {
  const bytes = Buffer.from(text, 'latin1');
  return endBeforeCr(bytes, start, bytes.indexOf(0x0a, start));
};

describe('endBeforeCr', () => {
  it('ends a CRLF line before its "\\r" and an LF line at its "\\n"', () => {
    expect(ends('abc\r\n')).toBe(3);
    expect(ends('abc\n')).toBe(3);
  });

  it('keeps a "\\r" inside the line, and reads "\\r\\n" alone as an empty line', () => {
    expect(ends('a\rb\n')).toBe(3);
    expect(ends('\r\n')).toBe(0);
    expect(ends('\n')).toBe(0);
  });

  it('never ends a line before its start: a "\\r" just before it belongs to the line before', () => {
    expect(ends('x\r\n\n', 3)).toBe(3);
  });
});
