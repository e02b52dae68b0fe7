import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../../../src/tail/line-splitter.ts';
import { DISORDER_MS, seekByDate } from '../../../src/tail/seek-by-date.ts';
import { dated, datedRange, isoTimeOf, writeLines } from './dated-kit.ts';

const NOW = Date.UTC(2026, 0, 15, 12);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SINCE = NOW - 10 * MIN;

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-seek-'));
  file = join(dir, 'auth.log');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Where the search starts `file` for `since`. */
async function seek(since = SINCE): Promise<number> {
  const handle = await open(file, 'r');
  try {
    return await seekByDate(handle, statSync(file).size, { since, timeOf: isoTimeOf });
  } finally {
    await handle.close();
  }
}

/** Where the first line dated at or after `time` starts. */
function firstFrom(lines: readonly string[], starts: readonly number[], time: number): number {
  return starts[lines.findIndex((l) => (isoTimeOf(l) ?? Number.NEGATIVE_INFINITY) >= time)]!;
}

/** The lines that start before `offset` and are dated at or after `since`: none, always. */
function skippedInWindow(lines: readonly string[], starts: readonly number[], offset: number): string[] {
  return lines.filter((l, i) => starts[i]! < offset && (isoTimeOf(l) ?? 0) >= SINCE);
}

describe('seekByDate: ordered logs', () => {
  it.each([
    ['\\n', ''],
    ['\\r\\n', '\r'],
  ])('starts at the first line within DISORDER_MS of since (%s)', async (_name, cr) => {
    const lines = datedRange(NOW - DAY, NOW, 5_000).map((l) => l + cr);
    const starts = writeLines(file, lines);
    expect(await seek()).toBe(firstFrom(lines, starts, SINCE - DISORDER_MS));
  });

  it('reads the undated lines between the last old line and the first recent one', async () => {
    const lines = datedRange(NOW - DAY, NOW, 10_000).flatMap((l, i) => [
      l,
      ...Array.from({ length: i % 4 }, () => '    at org.example.Server.run(Server.java:42)'),
    ]);
    const starts = writeLines(file, lines);
    const lastOld = lines.findLastIndex(
      (l) => (isoTimeOf(l) ?? Number.POSITIVE_INFINITY) < SINCE - DISORDER_MS,
    );
    expect(lines[lastOld + 1]).toMatch(/^ {4}at /);
    expect(await seek()).toBe(starts[lastOld + 1]);
  });

  it('reads a stretch without dates longer than a probe before the recent lines', async () => {
    const stretch = Array.from({ length: 3_000 }, (_, i) => `undated ${i} ${'.'.repeat(40)}`);
    const lines = [
      ...datedRange(NOW - DAY, NOW - 2 * HOUR, 10_000),
      ...stretch,
      ...datedRange(SINCE, NOW, 1_000),
    ];
    const starts = writeLines(file, lines);
    expect(await seek()).toBe(starts[lines.indexOf(stretch[0]!)]);
  });

  it('reads past lines too long to date, and stops before one next to the recent lines', async () => {
    const binary = Buffer.alloc(3 * MAX_LINE_BYTES, 0xfe);
    const longDated = dated(NOW - DAY + 5 * HOUR, 'x'.repeat(2 * MAX_LINE_BYTES));
    const lines = [
      ...datedRange(NOW - DAY, NOW - DAY + 5 * HOUR, 10_000),
      'y'.repeat(16 * MAX_LINE_BYTES),
      longDated,
      ...datedRange(NOW - DAY + 6 * HOUR, NOW - 2 * HOUR, 2_000),
      binary,
      ...datedRange(SINCE, NOW, 1_000),
    ];
    const starts = writeLines(file, lines);
    expect(await seek()).toBe(starts[lines.indexOf(binary)]);
  });

  it('skips a file whose lines are all old, up to a last line still being written', async () => {
    const lines = datedRange(NOW - 2 * DAY, NOW - DAY, 10_000);
    writeLines(file, lines);
    expect(await seek()).toBe(statSync(file).size);
    const partial = dated(NOW - DAY);
    writeLines(file, lines, partial);
    expect(await seek()).toBe(statSync(file).size - partial.length);
  });

  it('reads a file whole when its first line is recent, it has no dates, or it is empty', async () => {
    writeLines(file, datedRange(NOW - 5 * MIN, NOW, 1_000));
    expect(await seek()).toBe(0);
    writeLines(
      file,
      Array.from({ length: 5_000 }, (_, i) => `no date here ${i}`),
    );
    expect(await seek()).toBe(0);
    writeLines(file, []);
    expect(await seek()).toBe(0);
  });
});

describe('seekByDate: dates out of order', () => {
  it('never skips an in-window line among lines up to DISORDER_MS out of order', async () => {
    // Deterministic jitter of up to ±25 minutes, as several writers with buffers may produce.
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      dated(NOW - DAY + i * 4_300 + (((i * 7_919) % 3_001) - 1_500) * 1_000),
    );
    const starts = writeLines(file, lines);
    const offset = await seek();
    expect(skippedInWindow(lines, starts, offset)).toEqual([]);
    expect(offset).toBeGreaterThan(statSync(file).size / 2);
  });

  it('keeps a recent line written among lines up to DISORDER_MS older', async () => {
    const before = datedRange(NOW - DAY, NOW - 40 * MIN, 5_000);
    const lines = [...before, dated(NOW - 9 * MIN), ...datedRange(NOW - 40 * MIN, NOW, 5_000)];
    const starts = writeLines(file, lines);
    const offset = await seek();
    expect(skippedInWindow(lines, starts, offset)).toEqual([]);
    expect(offset).toBeGreaterThan(0);
  });

  it('reads the file whole when recent lines come before much older ones (a clock set back)', async () => {
    const lines = [
      ...datedRange(NOW - 2 * DAY, NOW - DAY - 20 * HOUR, 10_000),
      ...datedRange(SINCE, NOW - MIN, 300),
      ...datedRange(NOW - DAY, NOW - 3 * HOUR, 4_000),
      ...datedRange(NOW - MIN, NOW, 1_000),
    ];
    const starts = writeLines(file, lines);
    expect(await seek()).toBe(0);
    expect(skippedInWindow(lines, starts, 0)).toEqual([]);
  });

  it('reads the file whole when old dates run back by more than DISORDER_MS where it looked', async () => {
    writeLines(file, [
      ...datedRange(NOW - 2 * DAY, NOW - DAY, 10_000),
      ...datedRange(NOW - 5 * DAY, NOW - 4 * DAY, 10_000),
      ...datedRange(SINCE, NOW, 1_000),
    ]);
    expect(await seek()).toBe(0);
  });
});
