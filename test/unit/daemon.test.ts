import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JailConfig } from '../../src/config/types.ts';
import { JailsDaemon } from '../../src/daemon.ts';
import type { Jail } from '../../src/jail/jail.ts';
import type { FakeFirewall } from '../support/fakes.ts';
import { testJailConfig } from '../support/jail-config.ts';
import { type JailWorld, makeJailWorld } from '../support/jail-world.ts';

const config = (name: string): JailConfig =>
  testJailConfig({
    name,
    logpaths: [`/var/log/${name}.log`],
    port: [],
    blockRules: [{ ports: 'all', protocol: 'all' }],
  });

let world: JailWorld;
let firewall: FakeFirewall;
let jails: Jail[];
let daemon: JailsDaemon;

beforeEach(async () => {
  world = makeJailWorld(Date.now());
  ({ firewall, jails } = world);
  for (const name of ['sshd', 'web']) await world.jail({ config: config(name) }).start();
  daemon = new JailsDaemon(() => jails);
});
afterEach(() => world.close());

describe('JailsDaemon', () => {
  it('lists its jails and reports one', () => {
    expect(daemon.status()).toEqual({ jails: ['sshd', 'web'] });
    expect(daemon.jailStatus('web')).toEqual({ ok: true, value: jails[1]!.status() });
  });

  it('maps an unknown jail to ENOJAIL for every command', async () => {
    const enojail = { ok: false, code: 'ENOJAIL', message: 'no jail named "ftp"' };
    expect(daemon.jailStatus('ftp')).toEqual(enojail);
    expect(await daemon.ban('ftp', '192.0.2.1')).toEqual(enojail);
    expect(await daemon.unban('ftp', '192.0.2.1')).toEqual(enojail);
    // The jail is looked up first: a bad address in an unknown jail is still ENOJAIL.
    expect(await daemon.ban('ftp', 'nonsense')).toEqual(enojail);
    expect(firewall.bans).toEqual([]);
  });

  it('maps an address it cannot parse to EADDR, banning nothing', async () => {
    for (const ip of ['nonsense', '', '127.1', '999.1.1.1', '192.0.2.0/24', 'fe80::1%eth0']) {
      expect(await daemon.ban('sshd', ip), ip).toEqual({
        ok: false,
        code: 'EADDR',
        message: `"${ip}" is not an IPv4 or IPv6 address`,
      });
      expect(await daemon.unban('sshd', ip), ip).toMatchObject({ ok: false, code: 'EADDR' });
    }
    expect(firewall.bans).toEqual([]);
    expect(firewall.unbans).toEqual([]);
  });

  it('bans and unbans the canonical address in the named jail only', async () => {
    expect(await daemon.ban('web', '::ffff:192.0.2.1')).toEqual({ ok: true, value: true });
    expect(await daemon.ban('web', '192.0.2.1')).toEqual({ ok: true, value: false });
    expect(firewall.bans.map((o) => [o.jail, o.address.text])).toEqual([['web', '192.0.2.1']]);
    expect(jails[0]!.status().bannedAddresses).toEqual([]);
    expect(await daemon.unban('sshd', '192.0.2.1')).toEqual({ ok: true, value: false });
    expect(await daemon.unban('web', '192.0.2.1')).toEqual({ ok: true, value: true });
    expect(jails[1]!.status().bannedAddresses).toEqual([]);
  });
});
