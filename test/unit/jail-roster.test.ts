// What a reload does to running jails: unchanged ones are left alone, changed ones restart with
// their bans kept in the kernel throughout, new ones start, removed ones stop and leave the
// kernel, and one that cannot start does not keep the others down.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncrementSettings } from '../../src/ban/increment.ts';
import type { JailConfig } from '../../src/config/types.ts';
import type { Jail } from '../../src/jail/jail.ts';
import { JailRoster } from '../../src/jail-roster.ts';
import type { JailPlan } from '../../src/plan.ts';
import { silentLogger } from '../support/fakes.ts';
import { testFilter, testJailConfig } from '../support/jail-config.ts';
import { type JailWorld, makeJailWorld, settle } from '../support/jail-world.ts';

const NOW = 1_700_000_000_000;
const increment = { enabled: false } as IncrementSettings;
const plan = (name: string, over: Partial<JailConfig> = {}): JailPlan => ({
  config: testJailConfig({ name, logpaths: [`/var/log/${name}.log`], ...over }),
  filter: testFilter(),
  increment,
});

let world: JailWorld;
let roster: JailRoster;
let made: string[];
beforeEach(() => {
  world = makeJailWorld(NOW);
  made = [];
  roster = new JailRoster(
    async (p) => {
      if (p.config.name === 'broken') throw new Error('cannot build this one');
      made.push(p.config.name);
      const jail: Jail = world.jail({ config: p.config, filter: p.filter });
      return { jail, dispose: () => {} };
    },
    (name) => world.firewall.removeJail(name),
    silentLogger(),
  );
});
afterEach(async () => {
  await roster.stopAll();
  world.jails.length = 0;
  await world.close();
});

async function banInSshd(address: string): Promise<void> {
  for (let i = 0; i < 3; i++) world.source.emit(`Failed for root from ${address}`);
  await settle();
  await settle();
  expect(world.firewall.elements('sshd')).toContain(address);
}

describe('JailRoster', () => {
  it('starts jails in configuration order', async () => {
    const r = await roster.start([plan('sshd'), plan('web')]);
    expect(r).toEqual({ started: ['sshd', 'web'], restarted: [], stopped: [], kept: [], failed: [] });
    expect(roster.jails.map((j) => j.name)).toEqual(['sshd', 'web']);
  });

  it('leaves an unchanged jail running and restarts a changed one with its bans kept', async () => {
    await roster.start([plan('sshd'), plan('web')]);
    await banInSshd('192.0.2.1');
    const web = roster.jails[1];
    const r = await roster.apply([plan('sshd', { maxretry: 5 }), plan('web')]);
    expect(r).toMatchObject({ restarted: ['sshd'], kept: ['web'], stopped: [], started: [] });
    expect(roster.jails[1]).toBe(web);
    expect(made).toEqual(['sshd', 'web', 'sshd']);
    // The set was never emptied: no removeJail, and the ban is still there.
    expect(world.firewall.calls.filter((c) => c.op === 'removeJail')).toEqual([]);
    expect(world.firewall.elements('sshd')).toEqual(['192.0.2.1']);
    // The new instance counts with the new maxretry: 4 more failures are not a ban, a 5th is.
    for (let i = 0; i < 4; i++) world.source.emit('Failed for root from 192.0.2.2');
    await settle();
    expect(world.firewall.elements('sshd')).not.toContain('192.0.2.2');
    world.source.emit('Failed for root from 192.0.2.2');
    await settle();
    await settle();
    expect(world.firewall.elements('sshd')).toContain('192.0.2.2');
  });

  it('stops a removed jail and takes it out of the kernel; starts a new one', async () => {
    await roster.start([plan('sshd'), plan('web')]);
    await banInSshd('192.0.2.1');
    const r = await roster.apply([plan('web'), plan('mail')]);
    expect(r).toMatchObject({ stopped: ['sshd'], kept: ['web'], started: ['mail'] });
    expect(world.firewall.jails.has('sshd')).toBe(false);
    expect(roster.jails.map((j) => j.name)).toEqual(['web', 'mail']);
    // The stopped jail no longer reads its log.
    world.source.emit('Failed for root from 192.0.2.9');
    expect(world.firewall.elements('sshd')).toEqual([]);
  });

  it('a jail that cannot start is reported; the others run', async () => {
    const r = await roster.start([plan('sshd'), plan('broken'), plan('web')]);
    expect(r).toMatchObject({ started: ['sshd', 'web'], failed: ['broken'] });
    expect(roster.jails.map((j) => j.name)).toEqual(['sshd', 'web']);
  });

  it('runs reloads one at a time, in order', async () => {
    await roster.start([plan('sshd')]);
    const [a, b] = await Promise.all([
      roster.apply([plan('sshd'), plan('web')]),
      roster.apply([plan('web')]),
    ]);
    expect(a).toMatchObject({ kept: ['sshd'], started: ['web'] });
    expect(b).toMatchObject({ stopped: ['sshd'], kept: ['web'] });
    expect(roster.jails.map((j) => j.name)).toEqual(['web']);
  });
});
