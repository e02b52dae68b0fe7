// The line arithmetic the lanes share (lane.ts): where a line ends, and where the one before starts.

import { describe, expect, it } from 'vitest';
import { lineBefore, lineEnd } from '../../../src/filter/lane.ts';

const buf = Buffer.from('\nab\r\ncd\n\nlast\n', 'latin1');
// Line starts: 0 (empty), 1 ("ab\r"), 5 ("cd"), 8 (empty), 9 ("last"); the next would start at 14.

describe('lineBefore', () => {
  it('finds the start of the line before, the first line and empty lines included', () => {
    expect(lineBefore(buf, 1)).toBe(0); // before the empty first line: Buffer reads offset -1 from the end
    expect(lineBefore(buf, 5)).toBe(1);
    expect(lineBefore(buf, 8)).toBe(5);
    expect(lineBefore(buf, 9)).toBe(8);
    expect(lineBefore(buf, 14)).toBe(9);
  });
});

describe('lineEnd', () => {
  it('ends a line before its "\\r\\n" or "\\n"', () => {
    expect(lineEnd(buf, 1, 5)).toBe(3);
    expect(lineEnd(buf, 5, 8)).toBe(7);
    expect(lineEnd(buf, 8, 9)).toBe(8);
  });
});
