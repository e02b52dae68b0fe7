// A fresh ban goes to the firewall as a plain add exactly when the kernel cannot hold the
// address: never banned here, lifted by an operator, or expired long enough ago that the
// kernel's own (later, rounded-up) timeout has surely run out too. Otherwise the element may
// still be present, and only the add-delete-add form gives it the new ban's timeout.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Address, parseAddress } from '../../../src/core/address.ts';
import { testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld, settle } from '../../support/jail-world.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const BANTIME = 600_000;
const v4 = (i: number): Address => parseAddress(`10.0.${(i >> 8) & 255}.${i & 255}`)!;

let world: JailWorld;
beforeEach(() => {
  world = makeJailWorld(NOW);
});
afterEach(() => world.close());

async function fail(a: Address, times = 3): Promise<void> {
  for (let i = 0; i < times; i++) world.source.emit(`Failed for root from ${a.text}`);
  await settle();
}

/** Whether the firewall's last ban of `a` was a plain add. */
const lastWasAdd = (before: number, a: Address) => world.firewall.absent.slice(before).includes(a.text);

describe('Jail: which bans go to the kernel as a plain add', () => {
  it('every ban of a tick of never-banned addresses', async () => {
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }) });
    await jail.start();
    const addresses = Array.from({ length: 20 }, (_, i) => v4(i + 1));
    for (const a of addresses)
      for (let i = 0; i < 3; i++) world.source.emit(`Failed for root from ${a.text}`);
    await settle();
    expect(world.firewall.absent).toEqual(addresses.map((a) => a.text));
    expect(world.firewall.elements('sshd')).toHaveLength(20);
  });

  it('not a ban right after the last one expired here, while the kernel may still hold it; one later, yes', async () => {
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME, findtimeMs: 10 * BANTIME }) });
    await jail.start();
    const a = v4(1);
    const b = v4(2);
    await fail(a);
    await fail(b);
    world.clock.advance(BANTIME);
    await settle();
    expect(jail.status().currentlyBanned).toBe(0);
    // a: banned again at once, inside the kernel's rounding of its timeout.
    let before = world.firewall.absent.length;
    await fail(a);
    expect(jail.status().bannedAddresses).toContain(a.text);
    expect(lastWasAdd(before, a)).toBe(false);
    // b: banned again 2.5 s after its expiry, past the lag (none here) plus rounding and margin.
    world.clock.advance(2_500);
    before = world.firewall.absent.length;
    await fail(b);
    expect(jail.status().bannedAddresses).toContain(b.text);
    expect(lastWasAdd(before, b)).toBe(true);
  });

  it('a ban after an operator lifted the last one (the kernel deleted it)', async () => {
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }) });
    await jail.start();
    const a = v4(1);
    await fail(a);
    expect(await jail.unban(a)).toBe(true);
    const before = world.firewall.absent.length;
    await fail(a);
    expect(jail.status().bannedAddresses).toContain(a.text);
    expect(lastWasAdd(before, a)).toBe(true);
  });

  it('no ban once the start-up comparison with the kernel set failed: it may hold anything', async () => {
    world.firewall.list = () => Promise.reject(new Error('netlink: no answer'));
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }) });
    await jail.start();
    await fail(v4(1));
    await fail(v4(2));
    expect(jail.status().currentlyBanned).toBe(2);
    expect(world.firewall.absent).toEqual([]);
  });
});

describe('Jail: a lift the kernel refused', () => {
  it('leaves the element where it was, so the next ban of the address refreshes it rather than adding plainly', async () => {
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }) });
    await jail.start();
    const a = v4(1);
    await fail(a);
    world.firewall.unban = () => Promise.reject(new Error('netlink: busy'));
    await expect(jail.unban(a)).rejects.toThrow('netlink: busy');
    const before = world.firewall.absent.length;
    await fail(a);
    expect(jail.status().bannedAddresses).toContain(a.text);
    expect(lastWasAdd(before, a)).toBe(false);
  });
});
