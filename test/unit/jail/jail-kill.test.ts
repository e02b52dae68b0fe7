// What a SIGKILL leaves on disk, replayed: a copy of the state file taken while the first run is
// mid-way (what is on disk is all a killed process leaves) is what the second run starts from.
// Failures must reach the file together with the log position past their lines, so the lines
// after that position are read again and counted once, neither lost nor counted twice.

import { appendFileSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { FileTail } from '../../../src/tail/file-tail.ts';
import { silentLogger } from '../../support/fakes.ts';
import { datedTestFilter, testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld } from '../../support/jail-world.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const IP = '198.51.100.4';

const line = (n: number) => `${new Date(NOW).toISOString()} Failed for user${n} from ${IP}\n`;
const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((ok) => setTimeout(ok, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

let world: JailWorld;
const closers: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  world = makeJailWorld(NOW);
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await world.close();
});

async function run(store: SqliteStore, file: string) {
  const tail = new FileTail(systemClock, silentLogger(), { positions: store, paused: true });
  closers.push(() => tail.close());
  const jail = world.jail({
    config: testJailConfig({ logpaths: [file], maxretry: 3 }),
    filter: datedTestFilter(),
    source: tail,
    store,
  });
  await jail.start();
  await tail.resume();
  jail.beginOperation();
  return jail;
}

/** The state file as a SIGKILL would leave it now: the database and its write-ahead log. */
function snapshot(from: string, to: string): void {
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}

describe('a SIGKILL between a read and the next position save', () => {
  it('counts the lines read since the last save once at the next start, not twice', async () => {
    const file = join(world.dir, 'auth.log');
    writeFileSync(file, '');
    const first = await run(world.store, file);
    // The first save of the file's position (a second after its first read).
    await until(() => world.store.filePosition(file) !== undefined, 'the first position save');
    appendFileSync(file, line(1) + line(2));
    await until(() => first.status().totalFailed === 2, 'two failures counted');
    const copy = join(world.dir, 'killed.sqlite3');
    snapshot(join(world.dir, 'state.sqlite3'), copy);

    const store = new SqliteStore(copy);
    closers.push(() => store.close());
    const second = await run(store, file);
    await until(() => second.status().totalFailed >= 2, 'the lines read again');
    await new Promise((ok) => setTimeout(ok, 50));
    expect(second.status()).toMatchObject({ totalFailed: 2, currentlyBanned: 0 });
    expect(store.activeBans('sshd', NOW)).toEqual([]);
    // And the next one is the third.
    appendFileSync(file, line(3));
    await until(() => second.status().currentlyBanned === 1, 'the ban');
  });

  it('keeps failures saved with their position: the next start counts them, reads nothing again', async () => {
    const file = join(world.dir, 'auth.log');
    writeFileSync(file, '');
    const first = await run(world.store, file);
    appendFileSync(file, line(1) + line(2));
    await until(() => first.status().totalFailed === 2, 'two failures counted');
    await until(
      () => (world.store.filePosition(file)?.offset ?? 0) === Buffer.byteLength(line(1) + line(2)),
      'the position save',
    );
    const copy = join(world.dir, 'killed.sqlite3');
    snapshot(join(world.dir, 'state.sqlite3'), copy);

    const store = new SqliteStore(copy);
    closers.push(() => store.close());
    const second = await run(store, file);
    expect(second.status()).toMatchObject({ totalFailed: 2, currentlyFailed: 1, currentlyBanned: 0 });
    appendFileSync(file, line(3));
    await until(() => second.status().currentlyBanned === 1, 'the ban');
  });
});
