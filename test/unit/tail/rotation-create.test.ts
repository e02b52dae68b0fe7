// Every numbered line once, none twice, none missing, while a writer appends ~20,000 lines a
// second and the file is rotated several times the way logrotate's `create` does it (rename,
// create, postrotate HUP a little later, compression now or delayed), on both file backends.

import { describe, it } from 'vitest';
import { sleep } from './fs-kit.ts';
import {
  expectEveryLineOnce,
  type RotateOptions,
  rotateCreate,
  rotationSandbox,
  startWriter,
} from './rotation-kit.ts';

const TOTAL = 20_000; // ~1 s of writing
const ROTATIONS = 4;

const sandbox = rotationSandbox('banhammer-rotation-');

async function underRotation(kind: 'inotify' | 'polling', o: RotateOptions): Promise<void> {
  const file = sandbox.path('app.log');
  // Followed before the writer creates it: a file that appears is read from its start.
  const seen = await sandbox.follow(kind, file);
  const writer = startWriter(file, TOTAL);
  const gap = 1_000 / (ROTATIONS + 1);
  for (let i = 0; i < ROTATIONS; i++) {
    await sleep(gap);
    await rotateCreate(file, writer, o);
  }
  await writer.done;
  await expectEveryLineOnce(seen, TOTAL);
}

describe('rotation under load: rename + create', () => {
  it('inotify: plain rename + create, the writer reopening on HUP', () => underRotation('inotify', {}));

  it('inotify: compress (the renamed file is gzipped and removed at once)', () =>
    underRotation('inotify', { compress: true }));

  it('polling: compress + delaycompress', () =>
    underRotation('polling', { compress: true, delaycompress: true }));
});
