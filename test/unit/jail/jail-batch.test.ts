// A tick's bans share one state-file transaction, committed before any reaches the firewall; a
// restore puts addresses the kernel set lacks in with a plain add, the others with the refresh
// form, chunk by chunk with a turn of the event loop between chunks.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Address, parseAddress } from '../../../src/core/address.ts';
import type { BanOrder } from '../../../src/core/types.ts';
import { RESTORE_CHUNK } from '../../../src/jail/ban-book.ts';
import { EVENT_GROUP } from '../../../src/jail/events.ts';
import { captureLogger, type FakeFirewall } from '../../support/fakes.ts';
import { testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld, settle } from '../../support/jail-world.ts';
import { countLoopTurns } from '../../support/loop-turns.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const BANTIME = 600_000;
const v4 = (i: number): Address => parseAddress(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)!;
const order = (a: Address): BanOrder => ({
  jail: 'sshd',
  address: a,
  bannedAt: NOW - 60_000,
  expiresAt: NOW - 60_000 + BANTIME,
  failures: 3,
  restored: false,
});

let world: JailWorld;
beforeEach(() => {
  world = makeJailWorld(NOW);
});
afterEach(() => world.close());

describe('Jail: the bans of one tick', () => {
  it('are written in one transaction, failures forgotten, before the firewall gets any', async () => {
    const recordBans = vi.spyOn(world.store, 'recordBans');
    const onFile: boolean[] = [];
    const firewall = world.firewall;
    const spy: FakeFirewall = Object.assign(Object.create(firewall) as FakeFirewall, {
      ban: (o: BanOrder) => {
        onFile.push(world.store.activeBans('sshd', NOW).some((b) => b.address.text === o.address.text));
        return firewall.ban(o);
      },
    });
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }), firewall: spy });
    await jail.start();
    const addresses = Array.from({ length: 50 }, (_, i) => v4(i + 1));
    for (const a of addresses)
      for (let i = 0; i < 3; i++) world.source.emit(`Failed for root from ${a.text}`);
    await settle();
    expect(recordBans).toHaveBeenCalledTimes(1);
    expect(recordBans.mock.calls[0]![0]).toHaveLength(50);
    expect(onFile).toEqual(addresses.map(() => true));
    expect(world.firewall.elements('sshd')).toHaveLength(50);
    expect(world.store.failuresSince('sshd', 0)).toEqual([]);
    expect(jail.status().currentlyBanned).toBe(50);
  });

  it("share one transaction with the other jails' bans of the tick, each jail's bans on file before its firewall gets any", async () => {
    const recordBans = vi.spyOn(world.store, 'recordBans');
    const names = ['sshd', 'sshd-again', 'third'];
    const onFile: boolean[] = [];
    const firewall = world.firewall;
    const spy: FakeFirewall = Object.assign(Object.create(firewall) as FakeFirewall, {
      banMany: (orders: readonly BanOrder[], absent: (o: BanOrder) => boolean) => {
        for (const o of orders)
          onFile.push(world.store.activeBans(o.jail, NOW).some((b) => b.address.text === o.address.text));
        return firewall.banMany(orders, absent);
      },
    });
    const jails = names.map((name) =>
      world.jail({ config: testJailConfig({ name, bantimeMs: BANTIME }), firewall: spy }),
    );
    for (const jail of jails) await jail.start();
    const addresses = Array.from({ length: 20 }, (_, i) => v4(i + 1));
    for (const a of addresses)
      for (let i = 0; i < 3; i++) world.source.emit(`Failed for root from ${a.text}`);
    await settle();
    expect(recordBans).toHaveBeenCalledTimes(1);
    const written = recordBans.mock.calls[0]![0];
    expect(written).toHaveLength(names.length * addresses.length);
    expect(new Set(written.map((b) => b.order.jail))).toEqual(new Set(names));
    expect(onFile).toEqual(written.map(() => true));
    for (const [i, name] of names.entries()) {
      expect(world.firewall.elements(name)).toHaveLength(addresses.length);
      expect(world.store.failuresSince(name, 0)).toEqual([]);
      expect(jails[i]!.status().currentlyBanned).toBe(addresses.length);
    }
  });

  it("a failed transaction applies none of the tick's bans, in any jail, and keeps their failures", async () => {
    const { log, records } = captureLogger('error');
    const names = ['sshd', 'other'];
    const jails = names.map((name) =>
      world.jail({ config: testJailConfig({ name, bantimeMs: BANTIME }), log }),
    );
    for (const jail of jails) await jail.start();
    vi.spyOn(world.store, 'recordBans').mockImplementationOnce(() => {
      throw new Error('disk full');
    });
    const a = v4(7);
    for (let i = 0; i < 3; i++) world.source.emit(`Failed for root from ${a.text}`);
    await settle();
    world.store.flush();
    for (const [i, name] of names.entries()) {
      expect(world.firewall.elements(name)).toEqual([]);
      expect(jails[i]!.status().currentlyBanned).toBe(0);
      expect(world.store.failuresSince(name, 0)).toHaveLength(3);
    }
    expect(records.filter((r) => /Could not record bans/.test(String(r.msg)))).toHaveLength(2);
  });

  it('counts earlier bans from memory, kept in step with each new ban', async () => {
    const a = v4(1);
    world.store.recordBan(order(a), []);
    world.store.liftBan('sshd', a, NOW - 30_000);
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }) });
    await jail.start();
    expect(world.store.banCount(a, 'sshd')).toBe(1);
    for (let i = 0; i < 3; i++) world.source.emit(`Failed for root from ${a.text}`);
    await settle();
    expect(world.store.banCount(a, 'sshd')).toBe(2);
    expect(world.store.banCount(a, undefined)).toBe(2);
    expect(world.store.banCount(a, 'other')).toBe(0);
    expect(world.store.activeBans('sshd', NOW)).toHaveLength(1);
  });

  it('without bantime.increment or actions, looks up no earlier bans, and a re-ban still supersedes its row', async () => {
    const banCount = vi.spyOn(world.store, 'banCount');
    const recordBans = vi.spyOn(world.store, 'recordBans');
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }) });
    await jail.start();
    const a = v4(9);
    const fail = () => {
      for (let i = 0; i < 3; i++) world.source.emit(`Failed for root from ${a.text}`);
    };
    fail();
    await settle();
    // Unknown to the ban book before: fresh, nothing on file to lift.
    expect(recordBans.mock.calls[0]![0].map((b) => b.fresh)).toEqual([true]);
    // Lifted in the kernel but not on file (the firewall refuses): the next ban is not fresh.
    vi.spyOn(world.firewall, 'unban').mockRejectedValueOnce(new Error('refused'));
    await expect(jail.unban(a)).rejects.toThrow('refused');
    expect(world.store.activeBans('sshd', NOW)).toHaveLength(1);
    fail();
    await settle();
    expect(recordBans.mock.calls[1]![0].map((b) => b.fresh)).toEqual([false]);
    expect(banCount).not.toHaveBeenCalled();
    // One row in force: the second ban's, its first one lifted as it superseded it.
    const active = world.store.activeBans('sshd', NOW);
    expect(active).toHaveLength(1);
    expect(world.store.banCount(a, 'sshd')).toBe(2);
  });
});

describe('Jail: restore at start', () => {
  it('adds what the kernel set lacks plainly and refreshes what it holds', async () => {
    const [a, b] = [v4(1), v4(2)];
    world.store.recordBans([order(a), order(b)].map((o) => ({ order: o, matches: [] })));
    await world.firewall.addJail({ jail: 'sshd', rules: [] });
    await world.firewall.ban(order(b));
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }) });
    await jail.start();
    expect(world.firewall.absent).toEqual([a.text]);
    expect(world.firewall.elements('sshd').sort()).toEqual([a.text, b.text]);
  });

  it('logs each restored address once, in records of EVENT_GROUP addresses at most', async () => {
    const n = EVENT_GROUP * 2 + 3;
    const orders = Array.from({ length: n }, (_, i) => order(v4(i + 1)));
    world.store.recordBans(orders.map((o) => ({ order: o, matches: [] })));
    const { log, records } = captureLogger('info');
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }), log });
    await jail.start();
    const restores = records.filter((r) => r.event === 'restore');
    expect(restores.map((r) => (r.ips as string[]).length)).toEqual([EVENT_GROUP, EVENT_GROUP, 3]);
    expect(restores.flatMap((r) => r.ips as string[])).toEqual(orders.map((o) => o.address.text));
  });

  it('goes in chunks, one turn of the event loop each', async () => {
    const n = RESTORE_CHUNK * 2 + 1;
    const orders = Array.from({ length: n }, (_, i) => order(v4(i + 1)));
    world.store.recordBans(orders.map((o) => ({ order: o, matches: [] })));
    const loop = countLoopTurns();
    const turns = new Set<number>();
    const firewall = world.firewall;
    const spy: FakeFirewall = Object.assign(Object.create(firewall) as FakeFirewall, {
      ban: (o: BanOrder) => {
        turns.add(loop.count);
        return firewall.ban(o);
      },
    });
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }), firewall: spy });
    await jail.start();
    loop.stop();
    expect(turns.size).toBe(3);
    expect(world.firewall.absent).toHaveLength(n);
    expect(jail.status().currentlyBanned).toBe(n);
  });
});
