// A restart reads what was logged while banhammerd was down. Those lines carry their own dates
// (the filter reads them; the read time is only a fallback), so a burst older than findtime is
// read but bans nobody now, while a burst inside findtime bans as it would have live.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/core/address.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { FileTail } from '../../../src/tail/file-tail.ts';
import { silentLogger } from '../../support/fakes.ts';
import { datedTestFilter, testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld } from '../../support/jail-world.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const OLD = parseAddress('192.0.2.1')!;
const RECENT = parseAddress('192.0.2.2')!;

const failure = (iso: string, ip: string) => `${iso} Failed for root from ${ip}\n`;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((ok) => setTimeout(ok, 10));
  expect(check()).toBe(true);
};

let world: JailWorld;
let file: string;
const tails: FileTail[] = [];

beforeEach(() => {
  world = makeJailWorld(NOW);
  file = join(world.dir, 'auth.log');
});

afterEach(async () => {
  for (const t of tails.splice(0)) await t.close();
  await world.close();
});

/** One daemon run: the jail on a file source that resumes from the world's store. */
async function startJail() {
  const tail = new FileTail(systemClock, silentLogger(), { positions: world.store, paused: true });
  tails.push(tail);
  const jail = world.jail({
    config: testJailConfig({ logpaths: [file] }),
    filter: datedTestFilter(),
    source: tail,
  });
  await jail.start();
  await tail.resume();
  return { jail, tail };
}

describe('Jail: lines logged while stopped', () => {
  it('reads them once after a restart; an old burst bans nobody, a recent one bans', async () => {
    writeFileSync(file, failure('2026-01-01T11:00:00Z', '198.51.100.9'));
    const first = await startJail();
    appendFileSync(file, failure('2026-01-01T11:59:00Z', '198.51.100.9'));
    await until(() => first.jail.status().totalFailed === 1);
    await first.jail.stop();
    await first.tail.close();

    // While stopped: three failures two hours ago (findtime is 10 minutes), three just now.
    for (const m of [0, 1, 2]) appendFileSync(file, failure(`2026-01-01T10:0${m}:00Z`, OLD.text));
    for (const m of [5, 6, 7]) appendFileSync(file, failure(`2026-01-01T11:5${m}:00Z`, RECENT.text));
    world.clock.set(NOW + 60_000);

    const second = await startJail();
    await until(() => second.jail.status().totalBanned === 1);
    expect(world.firewall.bans.map((b) => [b.address.text, b.bannedAt])).toEqual([
      [RECENT.text, NOW + 60_000],
    ]);
    // The old lines were read but, older than findtime, neither counted nor stored.
    const recorded = world.store
      .failuresSince('sshd', 0)
      .map((f) => [f.address.text, new Date(f.time).toISOString()]);
    expect(recorded.filter(([ip]) => ip === OLD.text)).toEqual([]);
    // The failure read before the stop comes back from the store, not from the file again.
    expect(recorded.filter(([ip]) => ip === '198.51.100.9')).toEqual([
      ['198.51.100.9', '2026-01-01T11:59:00.000Z'],
    ]);
    expect(second.jail.status()).toMatchObject({ currentlyFailed: 1, currentlyBanned: 1 });
  });
});
