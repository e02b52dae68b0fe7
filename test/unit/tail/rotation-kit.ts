// Rotation tests under load: a child process appends numbered lines (~20,000 a second) while
// the test rotates the file the way logrotate does, step for step; afterwards every number is
// checked. logrotate itself is not needed: its steps are renames, copies, truncations, gzip.

import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterEach, beforeEach, expect } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import type { LogSource } from '../../../src/jail/ports.ts';
import { FileTail } from '../../../src/tail/file-tail.ts';
import { PollingTail } from '../../../src/tail/polling-tail.ts';
import { REPO } from '../../support/config-dir.ts';

const WRITER = join(REPO, 'test', 'fixtures', 'tail', 'numbered-writer.mjs');

export type FileSource = LogSource & { close(): Promise<void> };

/** A file source of either backend (polling every 50 ms), logging nothing. */
export function fileSource(kind: 'inotify' | 'polling'): FileSource {
  const log = pino({ level: 'silent' });
  return kind === 'inotify'
    ? new FileTail(systemClock, log)
    : new PollingTail(systemClock, log, { intervalMs: 50 });
}

/**
 * A fresh temp folder for each test of the calling file, and the source the test follows with,
 * closed and removed after it. Call at the top level of a test file.
 */
export function rotationSandbox(prefix: string): {
  path(name: string): string;
  /** Follows `pattern`; returns the numbers of the lines delivered, as they arrive. */
  follow(kind: 'inotify' | 'polling', pattern: string): Promise<number[]>;
} {
  let dir = '';
  let source: FileSource | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    path: (name) => join(dir, name),
    async follow(kind, pattern) {
      const seen: number[] = [];
      source = fileSource(kind);
      await source.follow([pattern], (line) => seen.push(numberOf(line.text)));
      return seen;
    },
  };
}

/** Waits for the lines to settle, then: each of 1..total delivered exactly once, nothing else. */
export async function expectEveryLineOnce(seen: number[], total: number): Promise<void> {
  await settled(seen, total);
  expect(audit(seen, total)).toEqual({ repeated: [], foreign: [], missing: 0, firstMissing: [] });
  expect(seen).toHaveLength(total);
}

/** The number of a writer's line; NaN for anything else. */
export const numberOf = (text: string): number => Number(/^line (\d+) /.exec(text)?.[1] ?? Number.NaN);

export interface Writer {
  readonly child: ChildProcess;
  /** Settles when every line is written and the writer has exited. */
  readonly done: Promise<void>;
  /** logrotate's postrotate: tell the writer to reopen its file. */
  hup(): void;
}

/** ~20,000 lines a second: 100 lines per write, every 5 ms. */
export function startWriter(path: string, total: number, switchEvery?: number): Writer {
  const args = [WRITER, path, String(total), '100', '5', ...(switchEvery ? [String(switchEvery)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    err += b;
  });
  const done = new Promise<void>((ok, fail) =>
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`writer exited ${code}: ${err}`)))),
  );
  return { child, done, hup: () => child.kill('SIGHUP') };
}

/** Waits until `seen` holds `total` numbers or stops growing for `quietMs`; then a bit more. */
export async function settled(seen: readonly number[], total: number, quietMs = 2_000): Promise<void> {
  let last = -1;
  let since = Date.now();
  while (seen.length < total && Date.now() - since < quietMs) {
    if (seen.length !== last) {
      last = seen.length;
      since = Date.now();
    }
    await new Promise((ok) => setTimeout(ok, 20));
  }
  // Anything still in flight would show up as a repeat.
  await new Promise((ok) => setTimeout(ok, 300));
}

/** What went wrong in `seen`, given that it should hold each of 0..total-1 once. */
export function audit(seen: readonly number[], total: number) {
  const { repeated, foreign } = defects(seen, total);
  const got = new Set(seen);
  const missing: number[] = [];
  for (let n = 0; n < total; n++) if (!got.has(n)) missing.push(n);
  return { repeated, foreign, missing: missing.length, firstMissing: missing.slice(0, 5) };
}

/** The line numbers in `text`'s complete lines (a copy may end inside a line). */
export function numbersIn(text: string): number[] {
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return [...complete.matchAll(/^line (\d+) /gm)].map((m) => Number(m[1]));
}

/** Numbers seen more than once, and numbers outside 0..total-1. */
export function defects(seen: readonly number[], total: number): { repeated: number[]; foreign: number[] } {
  const count = new Map<number, number>();
  for (const n of seen) count.set(n, (count.get(n) ?? 0) + 1);
  return {
    repeated: [...count].filter(([, c]) => c > 1).map(([n]) => n),
    foreign: [...count.keys()].filter((n) => !(Number.isInteger(n) && n >= 0 && n < total)),
  };
}

export interface RotateOptions {
  readonly compress?: boolean;
  readonly delaycompress?: boolean;
  /** How many rotated files are kept. */
  readonly rotate?: number;
}

function gzip(path: string): void {
  if (!existsSync(path)) return;
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
  unlinkSync(path);
}

/** Renames path.N(.gz) to path.N+1(.gz), dropping the oldest: room for a new path.1. */
function shift(path: string, rotate: number): void {
  for (let i = rotate - 1; i >= 1; i--) {
    for (const ext of ['', '.gz']) {
      if (existsSync(`${path}.${i}${ext}`)) renameSync(`${path}.${i}${ext}`, `${path}.${i + 1}${ext}`);
    }
  }
}

/** After the new path.1 exists: compress it now, or (delaycompress) the one before it. */
function compressStep(path: string, o: RotateOptions): void {
  if (!o.compress) return;
  gzip(o.delaycompress ? `${path}.2` : `${path}.1`);
}

/**
 * logrotate `create`: rename, create the new file, postrotate (HUP), compress. The writer is
 * told `hupAfterMs` after the new file exists: meanwhile it still writes the renamed one, as a
 * daemon does until its reload comes through.
 */
export async function rotateCreate(
  path: string,
  writer: Writer,
  o: RotateOptions & { hupAfterMs?: number } = {},
): Promise<void> {
  shift(path, o.rotate ?? 4);
  renameSync(path, `${path}.1`);
  writeFileSync(path, '');
  await new Promise((ok) => setTimeout(ok, o.hupAfterMs ?? 100));
  writer.hup();
  compressStep(path, o);
}

/** logrotate `copytruncate`: copy, truncate, compress. Returns what the copy holds. */
export function rotateCopyTruncate(path: string, o: RotateOptions = {}): string {
  shift(path, o.rotate ?? 4);
  copyFileSync(path, `${path}.1`);
  const copy = readFileSync(`${path}.1`, 'utf8');
  truncateSync(path, 0);
  compressStep(path, o);
  return copy;
}
