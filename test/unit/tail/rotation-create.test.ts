// Every numbered line once, none twice, none missing, while a writer appends ~20,000 lines a
// second and the file is rotated several times the way logrotate's `create` does it (rename,
// create, postrotate HUP a little later, compression now or delayed), on both file backends.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleep } from './fs-kit.ts';
import {
  audit,
  type FileSource,
  fileSource,
  numberOf,
  type RotateOptions,
  rotateCreate,
  settled,
  startWriter,
} from './rotation-kit.ts';

const TOTAL = 20_000; // ~1 s of writing
const ROTATIONS = 4;

let dir: string;
let source: FileSource | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-rotation-'));
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Follows `pattern` and returns the numbers of the lines delivered, as they arrive. */
async function follow(kind: 'inotify' | 'polling', pattern: string): Promise<number[]> {
  const seen: number[] = [];
  source = fileSource(kind);
  await source.follow([pattern], (line) => seen.push(numberOf(line.text)));
  return seen;
}

async function expectEveryLineOnce(seen: number[]): Promise<void> {
  await settled(seen, TOTAL);
  expect(audit(seen, TOTAL)).toEqual({ repeated: [], foreign: [], missing: 0, firstMissing: [] });
  expect(seen).toHaveLength(TOTAL);
}

async function underRotation(kind: 'inotify' | 'polling', o: RotateOptions): Promise<void> {
  const file = join(dir, 'app.log');
  // Followed before the writer creates it: a file that appears is read from its start.
  const seen = await follow(kind, file);
  const writer = startWriter(file, TOTAL);
  const gap = 1_000 / (ROTATIONS + 1);
  for (let i = 0; i < ROTATIONS; i++) {
    await sleep(gap);
    await rotateCreate(file, writer, o);
  }
  await writer.done;
  await expectEveryLineOnce(seen);
}

describe('rotation under load: rename + create', () => {
  it('inotify: plain rename + create, the writer reopening on HUP', () => underRotation('inotify', {}));

  it('inotify: compress (the renamed file is gzipped and removed at once)', () =>
    underRotation('inotify', { compress: true }));

  it('polling: compress + delaycompress', () =>
    underRotation('polling', { compress: true, delaycompress: true }));
});
