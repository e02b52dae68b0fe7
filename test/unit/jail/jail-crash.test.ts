// Crash safety at the jail: the kernel never holds an address the state file does not hold as
// actively banned, at any instant a SIGKILL could come. A ban reaches the file before the kernel,
// an unban leaves the kernel before the file, and a start removes from the kernel what an
// earlier run left there without an active ban. Also: live lines dated far from the clock count
// as now, and what a clock set back while stopped left in the future is brought back to now.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Address, parseAddress, parseNetwork } from '../../../src/core/address.ts';
import type { BanOrder, UnbanOrder } from '../../../src/core/types.ts';
import type { Jail, JailDeps } from '../../../src/jail/jail.ts';
import type { FakeFirewall } from '../../support/fakes.ts';
import { datedTestFilter, testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld, settle } from '../../support/jail-world.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const A = parseAddress('192.0.2.1')!;
const B = parseAddress('192.0.2.2')!;
const X = parseAddress('192.0.2.99')!;
const BANTIME = 600_000;
const HOUR = 3_600_000;

let world: JailWorld;
beforeEach(() => {
  world = makeJailWorld(NOW);
});
afterEach(() => world.close());

async function started(deps: Partial<JailDeps> = {}): Promise<Jail> {
  const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }), ...deps });
  await jail.start();
  return jail;
}

const order = (a: Address, bannedAt: number): BanOrder => ({
  jail: 'sshd',
  address: a,
  bannedAt,
  expiresAt: bannedAt + BANTIME,
  failures: 3,
  restored: false,
});

const dated = (time: number, a: Address) => `${new Date(time).toISOString()} Failed for root from ${a.text}`;

describe('Jail: kernel ⊆ state file', () => {
  it('writes a ban to the file before it asks the kernel', async () => {
    const onFile: boolean[] = [];
    const firewall = world.firewall;
    const spy: FakeFirewall = Object.assign(Object.create(firewall) as FakeFirewall, {
      ban: (o: BanOrder) => {
        onFile.push(world.store.activeBans('sshd', NOW).some((b) => b.address.text === o.address.text));
        return firewall.ban(o);
      },
    });
    await started({ firewall: spy });
    for (let i = 0; i < 3; i++) world.source.emit(`Failed for root from ${A.text}`);
    await settle();
    expect(onFile).toEqual([true]);
  });

  it('takes an unban out of the kernel before it lifts the ban on file', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const firewall = world.firewall;
    const slow: FakeFirewall = Object.assign(Object.create(firewall) as FakeFirewall, {
      unban: async (o: UnbanOrder) => {
        await held;
        return firewall.unban(o);
      },
    });
    const jail = await started({ firewall: slow });
    expect(await jail.ban(A)).toBe(true);
    const lifting = jail.unban(A);
    await settle();
    // The kernel has not confirmed yet: a SIGKILL now must find the ban on file.
    expect(world.firewall.elements('sshd')).toEqual([A.text]);
    expect(world.store.activeBans('sshd', NOW).map((b) => b.address.text)).toEqual([A.text]);
    release();
    expect(await lifting).toBe(true);
    expect(world.firewall.elements('sshd')).toEqual([]);
    expect(world.store.activeBans('sshd', NOW)).toEqual([]);
  });

  it('at start, removes kernel elements the file holds no active ban for, keeps the others', async () => {
    // What a SIGKILLed run left: A banned on file and in the kernel, X in the kernel only (its
    // ban was lifted on file and the kernel delete never came), B expired on file.
    world.store.recordBan(order(A, NOW - 60_000), []);
    world.store.recordBan(order(X, NOW - 60_000), []);
    world.store.liftBan('sshd', X, NOW - 30_000);
    world.store.recordBan(order(B, NOW - 2 * BANTIME), []);
    await world.firewall.addJail({ jail: 'sshd', rules: [] });
    for (const a of [A, X, B]) await world.firewall.ban(order(a, NOW - 60_000));
    const jail = await started();
    expect(world.firewall.elements('sshd').sort()).toEqual([A.text]);
    expect(jail.status().bannedAddresses).toEqual([A.text]);
  });

  it('takes an address ignored since out of the kernel before lifting its ban on file', async () => {
    world.store.recordBan(order(A, NOW - 60_000), []);
    await world.firewall.addJail({ jail: 'sshd', rules: [] });
    await world.firewall.ban(order(A, NOW - 60_000));
    const jail = world.jail({
      config: testJailConfig({ bantimeMs: BANTIME, ignoreip: [parseNetwork('192.0.2.0/24')!] }),
    });
    await jail.start();
    expect(world.firewall.elements('sshd')).toEqual([]);
    expect(world.store.activeBans('sshd', NOW)).toEqual([]);
    const ops = world.firewall.calls.map((c) => c.op);
    expect(ops.lastIndexOf('unban')).toBeGreaterThan(ops.lastIndexOf('ban'));
  });
});

describe('Jail: times a clock set back while stopped left in the future', () => {
  it('restores a ban dated in the future with no more than its own length, on file too', async () => {
    world.store.recordBan(order(A, NOW + 2 * HOUR), []);
    await started();
    const restored = world.firewall.bans.at(-1)!;
    expect(restored).toMatchObject({ address: A, restored: true, bannedAt: NOW });
    expect(restored.expiresAt! - NOW).toBe(BANTIME);
    expect(world.store.activeBans('sshd', NOW)[0]).toMatchObject({ bannedAt: NOW, expiresAt: NOW + BANTIME });
  });

  it('counts stored failures dated in the future as now, so later ones add to them', async () => {
    for (let i = 0; i < 2; i++)
      world.store.recordFailure('sshd', { address: B, time: NOW + 2 * HOUR + i, line: 'l' });
    world.store.flush();
    await started();
    world.source.emit(`Failed for root from ${B.text}`);
    await settle();
    expect(world.firewall.bans.map((o) => o.address.text)).toEqual([B.text]);
  });
});

describe('Jail in operation: lines dated far from the clock', () => {
  async function operating(): Promise<Jail> {
    const jail = await started({ filter: datedTestFilter() });
    jail.beginOperation();
    return jail;
  }

  it('counts lines three hours late as now rather than dropping them', async () => {
    await operating();
    for (let i = 0; i < 3; i++) world.source.emit(dated(NOW - 3 * HOUR + i, A));
    await settle();
    expect(world.firewall.bans).toMatchObject([{ address: A, bannedAt: NOW }]);
  });

  it('does not let lines dated next year linger in the window past findtime', async () => {
    const jail = await operating();
    for (let i = 0; i < 2; i++) world.source.emit(dated(NOW + 365 * 24 * HOUR, B));
    expect(jail.status().currentlyFailed).toBe(1);
    world.clock.advance(600_001);
    expect(jail.status().currentlyFailed).toBe(0);
    world.source.emit(dated(world.clock.now(), B));
    await settle();
    expect(world.firewall.bans).toEqual([]);
  });

  it('before operation (the backlog), keeps the old dates: an old burst bans nobody', async () => {
    await started({ filter: datedTestFilter() });
    for (let i = 0; i < 3; i++) world.source.emit(dated(NOW - 3 * HOUR + i, A));
    await settle();
    expect(world.firewall.bans).toEqual([]);
  });
});
