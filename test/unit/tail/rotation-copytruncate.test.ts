// copytruncate under load. logrotate copies the file, then truncates it; a line the writer adds
// between the end of the copy and the truncation is in no file at all, and no reader (fail2ban
// included) can recover it unless it happened to read it before the truncation. So the exact
// claim is: no line twice, and every line that some file holds (a copy, or the live file) read
// once. Lines that reached the copy but not the reader are recovered from the copy, which needs
// it uncompressed: no compression, or delaycompress.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleep } from './fs-kit.ts';
import {
  defects,
  type FileSource,
  fileSource,
  numberOf,
  numbersIn,
  type RotateOptions,
  rotateCopyTruncate,
  settled,
  startWriter,
} from './rotation-kit.ts';

const TOTAL = 20_000;
const ROTATIONS = 4;

let dir: string;
let source: FileSource | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-copytruncate-'));
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function underCopyTruncate(kind: 'inotify' | 'polling', o: RotateOptions): Promise<void> {
  const file = join(dir, 'app.log');
  const seen: number[] = [];
  source = fileSource(kind);
  await source.follow([file], (line) => seen.push(numberOf(line.text)));
  const writer = startWriter(file, TOTAL);
  const onDisk = new Set<number>();
  for (let i = 0; i < ROTATIONS; i++) {
    await sleep(1_000 / (ROTATIONS + 1));
    for (const n of numbersIn(rotateCopyTruncate(file, o))) onDisk.add(n);
  }
  await writer.done;
  for (const n of numbersIn(readFileSync(file, 'utf8'))) onDisk.add(n);
  await settled(seen, onDisk.size);

  expect(defects(seen, TOTAL)).toEqual({ repeated: [], foreign: [] });
  const got = new Set(seen);
  const unread = [...onDisk].filter((n) => !got.has(n));
  expect(unread).toEqual([]);
  // The rest were written between a copy and its truncation (read in time, or lost for all).
  expect(seen.length).toBeGreaterThanOrEqual(onDisk.size);
  expect(onDisk.size).toBeGreaterThan(TOTAL / 2);
}

describe('rotation under load: copytruncate', () => {
  it('inotify: copytruncate', () => underCopyTruncate('inotify', {}));

  it('inotify: copytruncate + compress + delaycompress', () =>
    underCopyTruncate('inotify', { compress: true, delaycompress: true }));

  it('polling: copytruncate + compress + delaycompress', () =>
    underCopyTruncate('polling', { compress: true, delaycompress: true }));
});
