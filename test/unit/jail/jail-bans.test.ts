// A jail's ban policy beyond counting: bantime.increment from the ban history (per jail and with
// overalljails), actions fanned out without letting one failure stop the rest, norestored on
// restart, and ignorecommand vouching for an address.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIncrementOptions } from '../../../src/ban/increment.ts';
import type { ActionEvent, JailAction } from '../../../src/ban/ports.ts';
import type { JailConfig } from '../../../src/config/types.ts';
import { type Address, parseAddress } from '../../../src/core/address.ts';
import { compileFilter } from '../../../src/filter/compile.ts';
import type { Jail, JailDeps } from '../../../src/jail/jail.ts';
import type { SqliteStore } from '../../../src/store/sqlite-store.ts';
import type { FakeClock, FakeFirewall, FakeSource } from '../../support/fakes.ts';
import { TEST_FILTER, testJailConfig } from '../../support/jail-config.ts';
import { type JailWorld, makeJailWorld, settle } from '../../support/jail-world.ts';

const NOW = 1_700_000_000_000;
const A = parseAddress('192.0.2.1')!;
const MIN = 60_000;

let store: SqliteStore;
let clock: FakeClock;
let firewall: FakeFirewall;
let source: FakeSource;
let jails: Jail[];

let world: JailWorld;
beforeEach(() => {
  world = makeJailWorld(NOW);
  ({ store, clock, firewall, source, jails } = world);
});
afterEach(() => world.close());

function increment(options: Record<string, string>) {
  const r = parseIncrementOptions((key) => options[key]);
  if (!('settings' in r)) throw new Error(JSON.stringify(r.problems));
  return r.settings;
}

async function start(over: Partial<JailConfig> = {}, deps: Partial<JailDeps> = {}): Promise<Jail> {
  const jail = world.jail({ config: testJailConfig(over), ...deps });
  await jail.start();
  return jail;
}

/** maxretry failures of `a`, then waits for the ban to reach the firewall. */
async function offend(a: Address, jail = 'sshd'): Promise<void> {
  for (let i = 0; i < 3; i++) source.emit(`Failed for root from ${a.text}`);
  await settle();
  await settle();
  expect(firewall.elements(jail)).toContain(a.text);
}

function lastBanMinutes(): number {
  const order = firewall.bans.at(-1)!;
  return (order.expiresAt! - order.bannedAt) / MIN;
}

describe('bantime.increment', () => {
  it('doubles each repeat ban with the default formula, capped by bantime.maxtime', async () => {
    const settings = increment({ 'bantime.increment': 'true', 'bantime.maxtime': '1h' });
    await start({ bantimeMs: 10 * MIN }, { increment: settings });
    const lengths: number[] = [];
    for (let n = 0; n < 5; n++) {
      await offend(A);
      lengths.push(lastBanMinutes());
      clock.advance(lengths.at(-1)! * MIN + 1);
      await settle();
    }
    // fail2ban's default formula: ban.Time * 2^ban.Count (factor 1), then the 1 h cap.
    expect(lengths).toEqual([10, 20, 40, 60, 60]);
  });

  it('follows bantime.multipliers, repeating the last one', async () => {
    const settings = increment({ 'bantime.increment': 'true', 'bantime.multipliers': '1 3 9' });
    await start({ bantimeMs: MIN }, { increment: settings });
    const lengths: number[] = [];
    for (let n = 0; n < 4; n++) {
      await offend(A);
      lengths.push(lastBanMinutes());
      clock.advance(lengths.at(-1)! * MIN + 1);
      await settle();
    }
    expect(lengths).toEqual([1, 3, 9, 9]);
  });

  it('counts bans in other jails only with bantime.overalljails', async () => {
    // An earlier ban of A in another jail, from the shared history.
    store.recordBan(
      { jail: 'webmin', address: A, bannedAt: NOW - MIN, expiresAt: NOW - 1, failures: 3, restored: false },
      [],
    );
    await start({ bantimeMs: 10 * MIN }, { increment: increment({ 'bantime.increment': 'true' }) });
    await offend(A);
    expect(lastBanMinutes()).toBe(10);
    await jails.pop()!.stop();
    firewall.sets.clear();

    const all = increment({ 'bantime.increment': 'true', 'bantime.overalljails': 'true' });
    const jail = await start({ name: 'other', bantimeMs: 10 * MIN }, { increment: all });
    expect(jail.name).toBe('other');
    await offend(A, 'other');
    // Two earlier bans on record (webmin's and sshd's): 10 min * 2^2.
    expect(lastBanMinutes()).toBe(40);
  });
});

class RecordingAction implements JailAction {
  readonly events: string[] = [];
  constructor(
    readonly name: string,
    readonly norestored: boolean,
    private readonly fail = false,
  ) {}
  async start() {
    this.events.push('start');
  }
  async stop() {
    this.events.push('stop');
  }
  async ban(e: ActionEvent) {
    this.events.push(
      `ban ${e.address.text} ${e.failures} restored=${e.restored} matches=${e.matches.length}`,
    );
    if (this.fail) throw new Error('action failed on purpose');
  }
  async unban(e: ActionEvent) {
    this.events.push(`unban ${e.address.text}`);
  }
}

describe('actions', () => {
  it('run for every ban, a failing one does not stop the others or the kernel', async () => {
    const broken = new RecordingAction('broken', false, true);
    const mail = new RecordingAction('sendmail-whois', true);
    await start({}, { actions: [broken, mail] });
    await offend(A);
    await settle();
    expect(broken.events).toEqual(['start', 'ban 192.0.2.1 3 restored=false matches=3']);
    expect(mail.events).toEqual(['start', 'ban 192.0.2.1 3 restored=false matches=3']);
    clock.advance(10 * MIN + 1);
    await settle();
    expect(mail.events.at(-1)).toBe('unban 192.0.2.1');
  });

  it("hand the filter's <F-…> captures to actions, the latest failure's value winning", async () => {
    const r = compileFilter({
      ...TEST_FILTER,
      failregex: [{ pattern: '^Failed for <F-USER>\\S+</F-USER> from <HOST>$', file: 'test.conf', line: 1 }],
    });
    if (!('filter' in r)) throw new Error(JSON.stringify(r.problems));
    const seen: Array<Readonly<Record<string, string>>> = [];
    const action = new RecordingAction('custom', false);
    action.ban = async (e: ActionEvent) => {
      seen.push(e.fields);
    };
    await start({}, { filter: r.filter, actions: [action] });
    for (const user of ['root', 'admin', 'oracle']) source.emit(`Failed for ${user} from ${A.text}`);
    await settle();
    await settle();
    expect(seen).toEqual([{ user: 'oracle' }]);
  });

  it('announce restored bans only to actions without norestored', async () => {
    await start();
    await offend(A);
    await jails.pop()!.stop();
    const shell = new RecordingAction('custom', false);
    const mail = new RecordingAction('sendmail-whois', true);
    await start({}, { actions: [shell, mail] });
    await settle();
    expect(shell.events).toContain('ban 192.0.2.1 3 restored=true matches=0');
    expect(mail.events).toEqual(['start']);
  });
});

describe('restored bans', () => {
  it('tell actions the ban count on record, the same at the ban and the unban', async () => {
    await start();
    await offend(A);
    await jails.pop()!.stop();
    const counts: string[] = [];
    const action = new RecordingAction('custom', false);
    action.ban = async (e: ActionEvent) => {
      counts.push(`ban ${e.banCount}`);
    };
    action.unban = async (e: ActionEvent) => {
      counts.push(`unban ${e.banCount}`);
    };
    await start({}, { actions: [action] });
    await settle();
    clock.advance(10 * MIN + 1);
    await settle();
    expect(counts).toEqual(['ban 1', 'unban 1']);
  });
});

describe('ignorecommand', () => {
  it('leaves an address alone when the command vouches for it, bans otherwise', async () => {
    const asked: string[] = [];
    const B = parseAddress('198.51.100.2')!;
    await start(
      {},
      {
        ignoreCommand: async (a) => {
          asked.push(a.text);
          return a.text === A.text;
        },
      },
    );
    for (let i = 0; i < 3; i++) source.emit(`Failed for root from ${A.text}`);
    await settle();
    await settle();
    expect(firewall.elements('sshd')).toEqual([]);
    await offend(B);
    expect(asked).toEqual([A.text, B.text]);
  });
});
