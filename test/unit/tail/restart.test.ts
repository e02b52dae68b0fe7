// Restarts on a real state file: what was written while nothing read is read once, whatever
// happened to the file meanwhile; files never seen before start at their end (`tail`) or their
// start (`head`).

import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import type { FollowOptions } from '../../../src/jail/ports.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { FileTail } from '../../../src/tail/file-tail.ts';
import { PollingTail } from '../../../src/tail/polling-tail.ts';
import { eventually, sleep } from './fs-kit.ts';
import { audit, numberOf, settled, startWriter } from './rotation-kit.ts';

const log = pino({ level: 'silent' });

let dir: string;
let file: string;
let store: SqliteStore;
const open: { close(): Promise<void> }[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-restart-'));
  file = join(dir, 'app.log');
  store = new SqliteStore(join(dir, 'state.sqlite3'));
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One run of the daemon's file source: follows `paths` into `lines` until stopped. */
async function run(lines: string[] | ((text: string) => void), paths = [file], options: FollowOptions = {}) {
  const tail = new FileTail(systemClock, log, { positions: store });
  open.push(tail);
  const onText = typeof lines === 'function' ? lines : (t: string) => lines.push(t);
  await tail.follow(paths, (l) => onText(l.text), options);
  return {
    stop: async () => {
      open.splice(open.indexOf(tail), 1);
      await tail.close();
    },
  };
}

describe('restart', () => {
  it('reads what was written while stopped, once', async () => {
    writeFileSync(file, 'before\n');
    const lines: string[] = [];
    const first = await run(lines);
    appendFileSync(file, 'one\n');
    await eventually(() => expect(lines).toEqual(['one']));
    await first.stop();
    appendFileSync(file, 'while stopped\n');
    const second = await run(lines);
    await eventually(() => expect(lines).toEqual(['one', 'while stopped']));
    appendFileSync(file, 'after\n');
    await eventually(() => expect(lines).toEqual(['one', 'while stopped', 'after']));
    await second.stop();
  });

  it('drains a file rotated (rename + create) while stopped, then reads the new one', async () => {
    writeFileSync(file, '');
    const lines: string[] = [];
    await (await run(lines)).stop();
    appendFileSync(file, 'old tail\n');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new head\n');
    await run(lines);
    await eventually(() => expect(lines).toEqual(['old tail', 'new head']));
  });

  it('reads the copy of a file copytruncated while stopped, then the file', async () => {
    writeFileSync(file, 'first\n');
    const lines: string[] = [];
    await (await run(lines)).stop();
    appendFileSync(file, 'copied\n');
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    appendFileSync(file, 'fresh\n');
    await run(lines);
    await eventually(() => expect(lines).toEqual(['copied', 'fresh']));
  });

  it('starts a never-seen file at its end, or at its start with `head`', async () => {
    const headed = join(dir, 'headed.log');
    writeFileSync(file, 'skipped\n');
    writeFileSync(headed, 'kept\n');
    const lines: string[] = [];
    await run(lines, [file, headed], { fromHead: [headed] });
    appendFileSync(file, 'new\n');
    await eventually(() => expect(lines.sort()).toEqual(['kept', 'new']));
  });

  it('hands a resumed backlog to every subscriber when paused until all subscribed', async () => {
    writeFileSync(file, '');
    await (await run([])).stop();
    appendFileSync(file, 'backlog\n');
    const tail = new PollingTail(systemClock, log, { positions: store, paused: true, intervalMs: 20 });
    open.push(tail);
    const a: string[] = [];
    const b: string[] = [];
    await tail.follow([file], (l) => a.push(l.text));
    await tail.follow([file], (l) => b.push(l.text));
    await sleep(60);
    expect([a, b]).toEqual([[], []]);
    await tail.resume();
    await eventually(() => expect([a, b]).toEqual([['backlog'], ['backlog']]));
  });

  it('under load: three restarts and a rotation while stopped, every line once', async () => {
    const total = 20_000;
    const seen: number[] = [];
    const lines = (text: string) => seen.push(numberOf(text));
    let current = await run(lines);
    const writer = startWriter(file, total);
    for (let i = 0; i < 3; i++) {
      await sleep(200);
      await current.stop();
      await sleep(50);
      if (i === 1) {
        renameSync(file, `${file}.1`);
        writeFileSync(file, '');
        writer.hup();
      }
      current = await run(lines);
    }
    await writer.done;
    await settled(seen, total);
    expect(audit(seen, total)).toEqual({ repeated: [], foreign: [], missing: 0, firstMissing: [] });
  });
});
