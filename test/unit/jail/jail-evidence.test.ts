// The lines and captures a ban hands to actions (<matches>, the ban mail, <F-USER>): the counter
// keeps only times, so they come back from the state file, and from the store's queue for the
// failures not written yet; only the failures inside findtime of the newest, at most MAX_MATCHES.

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionEvent, JailAction } from '../../../src/ban/ports.ts';
import type { JailConfig } from '../../../src/config/types.ts';
import { parseAddress } from '../../../src/core/address.ts';
import { compileFilter } from '../../../src/filter/compile.ts';
import { evidence, MAX_MATCHES } from '../../../src/jail/evidence.ts';
import { TEST_FILTER, testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld } from '../../support/jail-world.ts';

const NOW = 1_700_000_000_000;
const A = parseAddress('192.0.2.1')!;
const MIN = 60_000;

/** The test filter, with a user capture, and a second pattern that has none. */
function userFilter() {
  const file = 'filter.d/test.conf';
  const r = compileFilter({
    ...TEST_FILTER,
    failregex: [
      { pattern: '^Failed for <F-USER>\\S+</F-USER> from <HOST>$', file, line: 1 },
      { pattern: '^Invalid from <HOST>$', file, line: 2 },
    ],
  });
  if (!('filter' in r)) throw new Error(JSON.stringify(r.problems));
  return r.filter;
}

class BanRecorder implements JailAction {
  readonly name = 'custom';
  readonly norestored = false;
  readonly bans: ActionEvent[] = [];
  async start() {}
  async stop() {}
  async ban(e: ActionEvent) {
    this.bans.push(e);
  }
  async unban() {}
}

let world: JailWorld;
let action: BanRecorder;
beforeEach(() => {
  world = makeJailWorld(NOW);
  action = new BanRecorder();
});
afterEach(() => world.close());

const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

async function start(over: Partial<JailConfig> = {}) {
  const jail = world.jail({ config: testJailConfig(over), filter: userFilter(), actions: [action] });
  await jail.start();
  return jail;
}

/** Failure rows on disk, read through a second connection: not what the store holds in memory. */
function written(): number {
  const db = new Database(join(world.dir, 'state.sqlite3'), { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM failures').get()!.n;
  } finally {
    db.close();
  }
}

describe('a ban’s matches and captures', () => {
  it('come back from the file once written, and from the queue for the failures not written yet', async () => {
    await start();
    world.source.emit(`Failed for root from ${A.text}`);
    world.store.flush(); // what a log position save does, a second after the read
    world.clock.advance(1000);
    world.source.emit(`Failed for admin from ${A.text}`);
    world.store.flush();
    expect(written()).toBe(2);
    world.clock.advance(1000);
    world.source.emit(`Invalid from ${A.text}`); // still queued when the ban is decided
    await settle();
    expect(action.bans.map((e) => e.matches)).toEqual([
      [`Failed for root from ${A.text}`, `Failed for admin from ${A.text}`, `Invalid from ${A.text}`],
    ]);
    // The written failures' captures too, the later one winning.
    expect(action.bans[0]!.fields).toEqual({ user: 'admin' });
    expect(written()).toBe(0); // the ban's transaction forgot them
  });

  it('come from the queue alone for a burst', async () => {
    await start();
    for (const user of ['root', 'admin', 'oracle']) world.source.emit(`Failed for ${user} from ${A.text}`);
    await settle();
    expect(action.bans[0]!.matches).toEqual(
      ['root', 'admin', 'oracle'].map((user) => `Failed for ${user} from ${A.text}`),
    );
    expect(action.bans[0]!.fields).toEqual({ user: 'oracle' });
  });

  it('are those inside findtime of the newest failure, the newest MAX_MATCHES of them', async () => {
    const maxretry = MAX_MATCHES + 2;
    await start({ maxretry, findtimeMs: 10 * MIN });
    world.source.emit(`Failed for stale from ${A.text}`);
    world.store.flush();
    world.clock.advance(11 * MIN);
    for (let i = 0; i < maxretry; i++) {
      world.source.emit(`Failed for u${i} from ${A.text}`);
      if (i % 3 === 0) world.store.flush();
      world.clock.advance(1000);
    }
    await settle();
    expect(action.bans.map((e) => [e.failures, e.matches])).toEqual([
      [maxretry, Array.from({ length: MAX_MATCHES }, (_, k) => `Failed for u${k + 2} from ${A.text}`)],
    ]);
  });

  it('come back after a restart, from the failures counted again', async () => {
    await start();
    world.source.emit(`Failed for root from ${A.text}`);
    world.source.emit(`Failed for admin from ${A.text}`);
    await world.jails.pop()!.stop();
    world.store.flush();
    await start();
    world.source.emit(`Invalid from ${A.text}`);
    await settle();
    expect(action.bans.map((e) => [e.matches, e.fields])).toEqual([
      [
        [`Failed for root from ${A.text}`, `Failed for admin from ${A.text}`, `Invalid from ${A.text}`],
        { user: 'admin' },
      ],
    ]);
  });

  it('merge captures, a later failure winning, a capture named __proto__ a field like the others', () => {
    // Field names are the filter's group names; evidence() merges them into one object.
    const failures = [
      { address: A, time: NOW - 2000, line: 'one', fields: { user: 'root', host: 'h1' } },
      {
        address: A,
        time: NOW - 1000,
        line: 'two',
        fields: JSON.parse('{"__proto__": "x", "user": "admin"}'),
      },
      { address: A, time: NOW, line: 'three' },
    ];
    const got = evidence(
      { failuresOf: () => failures },
      'sshd',
      { address: A, failures: 3, time: NOW },
      10 * MIN,
    );
    expect(got.matches).toEqual(['one', 'two', 'three']);
    expect({ ...got.fields }).toEqual(JSON.parse('{"user": "admin", "host": "h1", "__proto__": "x"}'));
    expect(Object.getOwnPropertyNames(got.fields).sort()).toEqual(['__proto__', 'host', 'user']);
  });
});
