import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JailConfig } from '../../../src/config/types.ts';
import { type Address, parseAddress, parseNetwork } from '../../../src/core/address.ts';
import type { Jail } from '../../../src/jail/jail.ts';
import type { SqliteStore } from '../../../src/store/sqlite-store.ts';
import {
  captureLogger,
  type FakeClock,
  type FakeFirewall,
  type FakeSource,
  type LogRecord,
  silentLogger,
} from '../../support/fakes.ts';
import { testFilter, testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld, settle } from '../../support/jail-world.ts';

const NOW = 1_700_000_000_000;
const A = parseAddress('192.0.2.1')!;
const B = parseAddress('2001:db8::2')!;
const C = parseAddress('203.0.113.3')!;
const OWN = parseAddress('198.51.100.7')!;
const BANTIME = 600_000;
const FINDTIME = 600_000;

const compiled = testFilter;

function jailConfig(over: Partial<JailConfig> = {}): JailConfig {
  return testJailConfig({
    logpaths: ['/var/log/auth.log', '/var/log/secure'],
    findtimeMs: FINDTIME,
    bantimeMs: BANTIME,
    ...over,
  });
}

const fail = (a: Address, user = 'root') => `Failed for ${user} from ${a.text}`;
/** Lets pending firewall promises and the store's once-per-tick flush run. */

let store: SqliteStore;
let clock: FakeClock;
let firewall: FakeFirewall;
let source: FakeSource;

function makeJail(over: Partial<JailConfig> = {}, log: Logger = silentLogger()): Jail {
  return world.jail({ config: jailConfig(over), filter: compiled(), log, ownAddresses: [OWN] });
}

async function started(over: Partial<JailConfig> = {}, log?: Logger): Promise<Jail> {
  const jail = makeJail(over, log);
  await jail.start();
  return jail;
}

function emit(a: Address, times: number): void {
  for (let i = 0; i < times; i++) source.emit(fail(a));
}

let world: JailWorld;
beforeEach(() => {
  world = makeJailWorld(NOW);
  ({ store, clock, firewall, source } = world);
});
afterEach(() => world.close());

describe('Jail.start', () => {
  it("creates the jail's firewall sets with the config's block rules, then follows its logs", async () => {
    const jail = await started();
    expect(firewall.calls[0]).toEqual({
      op: 'addJail',
      spec: { jail: 'sshd', rules: [{ ports: [{ from: 22, to: 22 }], protocol: 'tcp' }] },
    });
    expect(source.followed).toEqual([['/var/log/auth.log', '/var/log/secure']]);
    expect(jail.status()).toEqual({
      name: 'sshd',
      currentlyFailed: 0,
      totalFailed: 0,
      files: ['/var/log/auth.log', '/var/log/secure'],
      currentlyBanned: 0,
      totalBanned: 0,
      bannedAddresses: [],
    });
  });
});

describe('Jail: failures to bans', () => {
  it('bans on the maxretry-th failure, for bantime from now', async () => {
    const jail = await started();
    emit(A, 2);
    source.emit('Accepted publickey for root from 192.0.2.1');
    source.emit(fail(B));
    await settle();
    expect(firewall.bans).toEqual([]);
    expect(jail.status()).toMatchObject({ currentlyFailed: 2, totalFailed: 3, currentlyBanned: 0 });

    clock.advance(1000);
    emit(A, 1);
    await settle();
    expect(firewall.bans).toEqual([
      {
        jail: 'sshd',
        address: A,
        bannedAt: NOW + 1000,
        expiresAt: NOW + 1000 + BANTIME,
        failures: 3,
        restored: false,
      },
    ]);
    expect(firewall.elements('sshd')).toEqual([A.text]);
    expect(jail.status()).toEqual({
      name: 'sshd',
      currentlyFailed: 1, // B still has its one failure
      totalFailed: 4,
      files: ['/var/log/auth.log', '/var/log/secure'],
      currentlyBanned: 1,
      totalBanned: 1,
      bannedAddresses: [A.text],
    });
    // Persisted: the ban is in the store and A's failures are forgotten.
    expect(store.activeBans('sshd', clock.now()).map((b) => b.address)).toEqual([A]);
    expect(store.failuresSince('sshd', 0).map((f) => f.address)).toEqual([B]);
  });

  it('never counts failures of an ignoreip address', async () => {
    const jail = await started({ ignoreip: [parseNetwork('192.0.2.0/24')!] });
    emit(A, 5);
    await settle();
    expect(firewall.bans).toEqual([]);
    expect(jail.status()).toMatchObject({ currentlyFailed: 0, totalFailed: 0 });
    expect(store.failuresSince('sshd', 0)).toEqual([]);
  });

  it("never counts failures of the machine's own address with ignoreself", async () => {
    const jail = await started({ ignoreself: true });
    emit(OWN, 5);
    await settle();
    expect(firewall.bans).toEqual([]);
    expect(jail.status()).toMatchObject({ currentlyFailed: 0, totalFailed: 0 });
    expect(store.failuresSince('sshd', 0)).toEqual([]);
  });

  it('counts its own address when ignoreself is off', async () => {
    await started({ ignoreself: false });
    emit(OWN, 3);
    await settle();
    expect(firewall.bans.map((o) => o.address)).toEqual([OWN]);
  });

  it('does not ban an already banned address again, nor count its lines', async () => {
    const jail = await started();
    emit(A, 3);
    await settle();
    emit(A, 6);
    await settle();
    expect(firewall.bans).toHaveLength(1);
    expect(jail.status()).toMatchObject({ totalFailed: 3, currentlyFailed: 0, totalBanned: 1 });
    expect(store.failuresSince('sshd', 0)).toEqual([]);
    expect(store.totalBans('sshd')).toBe(1);
  });

  it('retires the ban from its status when bantime has passed', async () => {
    const jail = await started();
    emit(A, 3);
    await settle();
    clock.advance(BANTIME - 1);
    expect(jail.status()).toMatchObject({ currentlyBanned: 1, bannedAddresses: [A.text] });
    clock.advance(1);
    expect(jail.status()).toMatchObject({ currentlyBanned: 0, bannedAddresses: [], totalBanned: 1 });
    expect(store.activeBans('sshd', clock.now())).toEqual([]);
    // A is a stranger again: its next maxretry failures ban it afresh.
    emit(A, 3);
    await settle();
    expect(firewall.bans).toHaveLength(2);
    expect(firewall.bans[1]).toMatchObject({ bannedAt: NOW + BANTIME, expiresAt: NOW + 2 * BANTIME });
    expect(jail.status()).toMatchObject({ currentlyBanned: 1, totalBanned: 2 });
  });

  it('keeps a bantime -1 ban forever', async () => {
    const jail = await started({ bantimeMs: null });
    emit(A, 3);
    await settle();
    expect(firewall.bans[0]).toMatchObject({ address: A, expiresAt: null });
    expect(clock.pending).toBe(0);
    clock.advance(10 * 365 * 86_400_000);
    expect(jail.status()).toMatchObject({ currentlyBanned: 1, bannedAddresses: [A.text] });
    expect(store.activeBans('sshd', clock.now()).map((b) => b.expiresAt)).toEqual([null]);
  });

  it('logs a ban the firewall refuses and keeps it recorded', async () => {
    const { log, records } = captureLogger();
    firewall.failBans = new Error('nft: Operation not permitted');
    const jail = await started({}, log);
    emit(A, 3);
    await settle();
    expect(firewall.bans).toHaveLength(1);
    const errors = records.filter((r: LogRecord) => r.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'Could not apply ban to the firewall.', ip: A.text });
    expect((errors[0]!.err as { message: string }).message).toBe('nft: Operation not permitted');
    expect(store.activeBans('sshd', clock.now()).map((b) => b.address)).toEqual([A]);
    expect(jail.status()).toMatchObject({ currentlyBanned: 1, totalBanned: 1 });
  });
});

describe('Jail: operator commands', () => {
  it('bans by hand with the jail bantime and no failures, once', async () => {
    const jail = await started();
    expect(await jail.ban(B)).toBe(true);
    expect(firewall.bans).toEqual([
      { jail: 'sshd', address: B, bannedAt: NOW, expiresAt: NOW + BANTIME, failures: 0, restored: false },
    ]);
    expect(await jail.ban(B)).toBe(false);
    expect(firewall.bans).toHaveLength(1);
    expect(jail.status()).toMatchObject({ currentlyBanned: 1, totalBanned: 1, bannedAddresses: [B.text] });
    expect(store.activeBans('sshd', NOW).map((b) => b.address)).toEqual([B]);
  });

  it('unbans by hand: firewall, store and timer, and counts start afresh', async () => {
    const jail = await started();
    emit(A, 3);
    await settle();
    clock.advance(1000);
    expect(await jail.unban(A)).toBe(true);
    expect(firewall.unbans).toEqual([{ jail: 'sshd', address: A }]);
    expect(firewall.elements('sshd')).toEqual([]);
    expect(store.activeBans('sshd', clock.now())).toEqual([]);
    expect(clock.pending).toBe(0);
    expect(jail.status()).toMatchObject({ currentlyBanned: 0, totalBanned: 1, bannedAddresses: [] });
    expect(await jail.unban(A)).toBe(false);
    expect(await jail.unban(C)).toBe(false);
    expect(firewall.unbans).toHaveLength(1);
    emit(A, 2);
    await settle();
    expect(firewall.bans).toHaveLength(1);
  });
});

describe('Jail: restart', () => {
  it('stops following and retires its timers, leaving the kernel alone', async () => {
    const jail = await started();
    emit(A, 3);
    await settle();
    expect(clock.pending).toBe(1);
    await jail.stop();
    expect(source.subscribers).toBe(0);
    expect(clock.pending).toBe(0);
    expect(firewall.unbans).toEqual([]);
    expect(firewall.elements('sshd')).toEqual([A.text]);
  });

  it('restores active bans with their remaining time and failures inside findtime', async () => {
    const first = await started();
    // C fails twice, long ago; B fails twice recently; A is banned in between.
    emit(C, 2);
    clock.advance(100_000);
    emit(A, 3);
    await settle();
    clock.advance(300_000);
    emit(B, 2);
    clock.advance(250_000); // C's failures are now 650 s old, B's 250 s; A has 50 s left
    await first.stop();
    store.flush();

    const second = makeJail();
    firewall.calls.length = 0;
    await second.start();
    expect(firewall.calls.map((c) => c.op)).toEqual(['addJail', 'ban']);
    expect(firewall.bans).toEqual([
      {
        jail: 'sshd',
        address: A,
        bannedAt: NOW + 100_000,
        expiresAt: NOW + 100_000 + BANTIME,
        failures: 3,
        restored: true,
      },
    ]);
    expect(firewall.bans[0]!.expiresAt! - clock.now()).toBe(50_000);
    expect(second.status()).toMatchObject({
      currentlyBanned: 1,
      bannedAddresses: [A.text],
      totalBanned: 1, // from the store; a restored ban is not a new one
      currentlyFailed: 1, // B
      totalFailed: 2,
    });

    emit(C, 1);
    await settle();
    expect(firewall.bans).toHaveLength(1); // C's old failures were not restored
    emit(B, 1);
    await settle();
    expect(firewall.bans.map((o) => [o.address.text, o.restored])).toEqual([
      [A.text, true],
      [B.text, false],
    ]);
    expect(second.status()).toMatchObject({ currentlyBanned: 2, totalBanned: 2 });

    clock.advance(50_000);
    expect(second.status().bannedAddresses).toEqual([B.text]);
  });

  it('does not restore a ban that expired or was lifted while it was down', async () => {
    const first = await started();
    emit(A, 3);
    await first.ban(B);
    await first.unban(B);
    await settle();
    await first.stop();
    clock.advance(BANTIME);
    const second = await started();
    expect(firewall.bans.filter((o) => o.restored)).toEqual([]);
    expect(second.status()).toMatchObject({ currentlyBanned: 0, totalBanned: 2 });
  });

  // Adding yourself to ignoreip and restarting is the way out of a self-inflicted lock-out
  // (fail2ban skips ignored addresses when it restores bans, too).
  it('does not restore a ban of an address that is now in ignoreip', async () => {
    const first = await started();
    emit(A, 3);
    await settle();
    await first.stop();
    firewall.calls.length = 0;
    const second = await started({ ignoreip: [parseNetwork(`${A.text}/32`)!] });
    expect(firewall.bans).toEqual([]);
    expect(second.status()).toMatchObject({ currentlyBanned: 0, bannedAddresses: [] });
  });
});
