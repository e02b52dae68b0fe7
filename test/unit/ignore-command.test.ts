import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/core/address.ts';
import { systemClock } from '../../src/core/clock.ts';
import { HostList } from '../../src/host-list.ts';
import { ignoreCommandOf } from '../../src/ignore-command.ts';
import { silentLogger } from '../support/fakes.ts';
import { testJailConfig } from '../support/jail-config.ts';

const A = parseAddress('192.0.2.1')!;
const B = parseAddress('2001:db8::2')!;

describe('ignorecommand', () => {
  it('is absent when unset', () => {
    expect(ignoreCommandOf(testJailConfig(), systemClock)).toBeUndefined();
  });

  it('runs through /bin/sh with <ip> and <name>; exit 0 ignores, 1 bans', async () => {
    const ask = ignoreCommandOf(
      testJailConfig({ ignorecommand: 'test <ip> = 192.0.2.1 && test <name> = sshd' }),
      systemClock,
    )!;
    expect(await ask(A)).toBe(true);
    expect(await ask(B)).toBe(false);
  });

  it('reports any other exit status as an error', async () => {
    const ask = ignoreCommandOf(testJailConfig({ ignorecommand: 'echo broken >&2; exit 3' }), systemClock)!;
    await expect(ask(A)).rejects.toThrow('ignorecommand exited 3: broken');
  });
});

describe('ignoreip host names', () => {
  it('resolve to their addresses (localhost from /etc/hosts)', async () => {
    const list = new HostList(['localhost'], silentLogger());
    await list.start();
    list.stop();
    expect(list.addresses().map((a) => a.text)).toContain('127.0.0.1');
  });

  it('keep nothing, and do not throw, for a name that does not resolve', async () => {
    const list = new HostList(['no-such-host.invalid'], silentLogger());
    await list.start();
    list.stop();
    expect(list.addresses()).toEqual([]);
  });
});
