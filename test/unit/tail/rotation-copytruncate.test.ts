// copytruncate under load. logrotate copies the file, then truncates it; a line the writer adds
// between the end of the copy and the truncation is in no file at all, and no reader (fail2ban
// included) can recover it unless it happened to read it before the truncation. So the exact
// claim is: no line twice, and every line that some file holds (a copy, or the live file) read
// once. Lines that reached the copy but not the reader are recovered from the copy, which needs
// it uncompressed: no compression, or delaycompress.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sleep } from './fs-kit.ts';
import {
  defects,
  numbersIn,
  type RotateOptions,
  rotateCopyTruncate,
  rotationSandbox,
  settled,
  startWriter,
} from './rotation-kit.ts';

const TOTAL = 20_000;
const ROTATIONS = 4;

const sandbox = rotationSandbox('banhammer-copytruncate-');

async function underCopyTruncate(kind: 'inotify' | 'polling', o: RotateOptions): Promise<void> {
  const file = sandbox.path('app.log');
  const seen = await sandbox.follow(kind, file);
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
