// Every numbered line once, none twice, none missing, while a writer appends ~20,000 lines a
// second and starts a new file every few thousand lines, which a logpath glob picks up.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { audit, type FileSource, fileSource, numberOf, settled, startWriter } from './rotation-kit.ts';

const TOTAL = 20_000; // ~1 s of writing

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

describe('rotation under load: a glob picks up new files', () => {
  it.each(['inotify', 'polling'] as const)(
    '%s: the writer starts a new file every 4,000 lines',
    async (kind) => {
      const seen = await follow(kind, join(dir, 'app-*.log'));
      const writer = startWriter(join(dir, 'app-%d.log'), TOTAL, 4_000);
      await writer.done;
      await expectEveryLineOnce(seen);
    },
  );
});
