// A wall-clock step (date -s, an NTP step) while banhammerd runs: the kernel's timeouts are
// relative, so a ban must stay in `status` and on file exactly as long as the kernel keeps it,
// a restart must restore what the kernel has left, and counts must neither vanish nor linger.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Address, parseAddress } from '../../../src/core/address.ts';
import { clockStep } from '../../../src/core/clock.ts';
import type { Jail } from '../../../src/jail/jail.ts';
import { FakeClock } from '../../support/fakes.ts';
import { testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld, settle } from '../../support/jail-world.ts';

const NOW = 1_700_000_000_000;
const A = parseAddress('192.0.2.1')!;
const B = parseAddress('192.0.2.2')!;
const BANTIME = 600_000;
const HOUR = 3_600_000;

let world: JailWorld;
beforeEach(() => {
  world = makeJailWorld(NOW);
});
afterEach(() => world.close());

async function started(): Promise<Jail> {
  const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }) });
  await jail.start();
  return jail;
}

function emit(a: Address, times: number): void {
  for (let i = 0; i < times; i++) world.source.emit(`Failed for root from ${a.text}`);
}

/** Milliseconds the file says A's ban has left, or undefined when it holds no active ban. */
function leftOnFile(a: Address): number | undefined {
  const ban = world.store.activeBans('sshd', world.clock.now()).find((b) => b.address.text === a.text);
  return ban && ban.expiresAt! - world.clock.now();
}

describe('clockStep', () => {
  it('reports a step of the wall clock against the monotonic one, once, and ignores jitter', () => {
    const clock = new FakeClock(NOW);
    const step = clockStep(clock);
    clock.advance(5000);
    expect(step()).toBe(0);
    clock.jump(999);
    expect(step()).toBe(0);
    clock.jump(2 * HOUR);
    expect(step()).toBe(2 * HOUR + 999);
    expect(step()).toBe(0);
    clock.jump(-HOUR);
    expect(step()).toBe(-HOUR);
  });

  it('takes the wall clock as the caller read it, reading it no more', () => {
    const clock = new FakeClock(NOW);
    const step = clockStep(clock);
    let reads = 0;
    const now = clock.now.bind(clock);
    clock.now = () => {
      reads++;
      return now();
    };
    clock.jump(2 * HOUR);
    expect(step(now())).toBe(2 * HOUR);
    expect(step(now())).toBe(0);
    expect(reads).toBe(0);
  });
});

describe('Jail: a wall-clock step', () => {
  it('forward: the ban stays in status and on file with the time the kernel has left', async () => {
    const jail = await started();
    emit(A, 3);
    await settle();
    world.clock.advance(100_000);
    world.clock.jump(3 * HOUR);
    expect(jail.status()).toMatchObject({ currentlyBanned: 1, bannedAddresses: [A.text] });
    expect(leftOnFile(A)).toBe(BANTIME - 100_000);
    world.clock.advance(BANTIME - 100_001);
    expect(jail.status().currentlyBanned).toBe(1);
    world.clock.advance(1);
    expect(jail.status()).toMatchObject({ currentlyBanned: 0, bannedAddresses: [] });
    expect(leftOnFile(A)).toBeUndefined();
  });

  it('back: the ban is not lengthened, in status or on file', async () => {
    const jail = await started();
    emit(A, 3);
    await settle();
    world.clock.advance(100_000);
    world.clock.jump(-3 * HOUR);
    jail.checkClock();
    expect(leftOnFile(A)).toBe(BANTIME - 100_000);
    world.clock.advance(BANTIME - 100_000);
    expect(jail.status().currentlyBanned).toBe(0);
    expect(leftOnFile(A)).toBeUndefined();
  });

  it('a restart after the step restores what the kernel has left, no more, no less', async () => {
    const first = await started();
    emit(A, 3);
    await settle();
    world.clock.advance(200_000);
    world.clock.jump(5 * HOUR);
    await first.stop(); // before the periodic check noticed the step
    const second = await started();
    const restored = world.firewall.bans.at(-1)!;
    expect(restored).toMatchObject({ address: A, restored: true });
    expect(restored.expiresAt! - world.clock.now()).toBe(BANTIME - 200_000);
    expect(second.status().bannedAddresses).toEqual([A.text]);
  });

  it('back: failures before the step still count with those after it', async () => {
    await started();
    emit(B, 2);
    world.clock.advance(60_000);
    world.clock.jump(-2 * HOUR);
    emit(B, 1);
    await settle();
    expect(world.firewall.bans.map((o) => o.address.text)).toEqual([B.text]);
  });

  it('forward: failures before the step are not aged out by it', async () => {
    const jail = await started();
    emit(B, 2);
    world.clock.advance(60_000);
    world.clock.jump(2 * HOUR);
    expect(jail.status()).toMatchObject({ currentlyFailed: 1, totalFailed: 2 });
    emit(B, 1);
    await settle();
    expect(world.firewall.bans.map((o) => o.address.text)).toEqual([B.text]);
    expect(jail.status()).toMatchObject({ totalFailed: 3, currentlyBanned: 1 });
    // Real time, not the step, ages failures: findtime after the last one, none is current.
    emit(A, 1);
    world.clock.advance(600_001);
    expect(jail.status().currentlyFailed).toBe(0);
  });

  it('tells the daemon when it holds records to keep in step (a failure, a ban), and holds none at first', async () => {
    let told = 0;
    const jail = world.jail({ config: testJailConfig({ bantimeMs: BANTIME }), holdsRecords: () => told++ });
    await jail.start();
    expect(jail.holdsRecords).toBe(false);
    expect(told).toBe(0);
    emit(A, 1);
    expect(jail.holdsRecords).toBe(true);
    expect(told).toBe(1);
    await jail.ban(B);
    expect(told).toBeGreaterThan(1);
  });
});

describe('Jail: the clock, per read of the source', () => {
  /** Counts the jail's readings of each clock from now on. */
  function countReads() {
    const reads = { wall: 0, monotonic: 0 };
    const now = world.clock.now.bind(world.clock);
    const monotonic = world.clock.monotonic.bind(world.clock);
    world.clock.now = () => {
      reads.wall++;
      return now();
    };
    world.clock.monotonic = () => {
      reads.monotonic++;
      return monotonic();
    };
    return reads;
  }
  const line = (a: Address) => ({
    text: `Failed for root from ${a.text}`,
    source: 'fake',
    time: world.clock.now(),
  });

  it('reads and checks the clocks at the first line of a read, and at every line without one', async () => {
    const jail = await started();
    const lines = [line(A), line(B), line(B)];
    const other = { text: 'nothing to see', source: 'fake', time: NOW };
    const reads = countReads();
    const read = {};
    for (const l of lines) jail.handle(l, undefined, read);
    expect(reads).toEqual({ wall: 1, monotonic: 1 });
    jail.handle(other);
    jail.handle(other);
    expect(reads).toEqual({ wall: 3, monotonic: 3 });
    expect(jail.status()).toMatchObject({ currentlyFailed: 2, totalFailed: 3 });
  });

  it('follows a step between two reads at the first line of the second', async () => {
    const jail = await started();
    jail.handle(line(A), undefined, {});
    world.clock.advance(1000);
    world.clock.jump(2 * HOUR);
    const second = {};
    for (const l of [line(A), line(A)]) jail.handle(l, undefined, second);
    // Followed: A's failure before the step moved with the clock, and still counts.
    expect(jail.status()).toMatchObject({ currentlyBanned: 1, bannedAddresses: [A.text] });
  });
});
