import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type Address, parseAddress } from '../../../src/core/address.ts';
import type { Clock } from '../../../src/core/clock.ts';
import { NftError } from '../../../src/core/errors.ts';
import type { BanOrder } from '../../../src/core/types.ts';
import type { NftRunner } from '../../../src/firewall/nft-cli.ts';
import { NftFirewall } from '../../../src/firewall/nft-firewall.ts';

const log = pino({ level: 'silent' });
const clock: Clock = { now: () => 1_000_000, setTimer: () => () => {} };
const addr = (text: string): Address => parseAddress(text)!;
const order = (text: string, jail = 'sshd', expiresAt: number | null = 1_060_000): BanOrder => ({
  jail,
  address: addr(text),
  bannedAt: 1_000_000,
  expiresAt,
  failures: 5,
  restored: false,
});

/** Records scripts; fails any script that mentions a set in `refuse`. */
class FakeRunner implements NftRunner {
  readonly scripts: string[] = [];
  readonly lists: string[][] = [];
  constructor(
    readonly refuse: readonly string[] = [],
    readonly docs: Record<string, unknown> = {},
  ) {}
  async run(script: string, op: string): Promise<void> {
    this.scripts.push(script);
    const bad = this.refuse.find((s) => script.includes(` ${s} `));
    if (bad) throw new NftError(`Error: No such file or directory; set ${bad}`, 'ENOENT', op);
  }
  async listJson(args: readonly string[], op: string): Promise<unknown> {
    this.lists.push([...args]);
    const doc = this.docs[args.join(' ')];
    if (doc === undefined) throw new NftError('Error: No such file or directory', 'ENOENT', op);
    return doc;
  }
}

describe('NftFirewall', () => {
  it('commits every order of one tick in one script, timeouts computed at commit', async () => {
    const runner = new FakeRunner();
    const fw = new NftFirewall({ runner, clock, log });
    await Promise.all([
      fw.ban(order('192.0.2.1')),
      fw.ban(order('2001:db8::1')),
      fw.unban(order('192.0.2.2')),
    ]);
    expect(runner.scripts).toHaveLength(1);
    expect(runner.scripts[0]).toContain('add element inet banhammer sshd-v4 { 192.0.2.1 timeout 60s }');
    expect(runner.scripts[0]).toContain('add element inet banhammer sshd-v6 { 2001:db8::1 timeout 60s }');
    expect(runner.scripts[0]).toContain('delete element inet banhammer sshd-v4 { 192.0.2.2 }');
  });

  it('retries a failed batch order by order and rejects only the failing ones', async () => {
    const runner = new FakeRunner(['ghost-v4']);
    const fw = new NftFirewall({ runner, clock, log });
    const results = await Promise.allSettled([
      fw.ban(order('192.0.2.1')),
      fw.ban(order('192.0.2.2', 'ghost')),
      fw.ban(order('192.0.2.3')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(NftError);
    expect(runner.scripts).toHaveLength(4);
  });

  it('rejects a non-canonical address or bad jail name without touching nft', async () => {
    const runner = new FakeRunner();
    const fw = new NftFirewall({ runner, clock, log });
    const forged = {
      ...order('192.0.2.1'),
      address: { text: '192.0.2.1 }; flush ruleset; {', family: 4 as const },
    };
    await expect(fw.ban(forged)).rejects.toThrow(/canonical IP address/);
    await expect(fw.ban(order('192.0.2.1', 'bad jail'))).rejects.toThrow(/jail name/);
    await expect(fw.addJail({ jail: '3proxy', rules: [] })).rejects.toThrow(TypeError);
    expect(runner.scripts).toHaveLength(0);
  });

  it("hands a tick's batch to nft before the event loop turns, ahead of work queued earlier", async () => {
    const runner = new FakeRunner();
    const fw = new NftFirewall({ runner, clock, log });
    // Queued before the order, as the text log's write is when a ban is logged.
    const scriptsAtCheckPhase = new Promise<number>((ok) => setImmediate(() => ok(runner.scripts.length)));
    const ban = fw.ban(order('192.0.2.1'));
    expect(await scriptsAtCheckPhase).toBe(1);
    await ban;
  });

  it("puts many bans in the tick's batch with one promise: plain adds for the absent ones, on one line", async () => {
    const runner = new FakeRunner();
    const fw = new NftFirewall({ runner, clock, log });
    const absent = new Set(['192.0.2.1', '192.0.2.2']);
    const [refused] = await Promise.all([
      fw.banMany(
        ['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((a) => order(a)),
        (o) => absent.has(o.address.text),
      ),
      fw.unban(order('192.0.2.9')),
    ]);
    expect(refused).toEqual([]);
    expect(runner.scripts).toHaveLength(1);
    const lines = runner.scripts[0]!.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'add element inet banhammer sshd-v4 { 192.0.2.1 timeout 60s, 192.0.2.2 timeout 60s }',
    );
    expect(lines.slice(1, 4).every((l) => l.includes('192.0.2.3'))).toBe(true);
    expect(lines.slice(4).every((l) => l.includes('192.0.2.9'))).toBe(true);
  });

  it('resolves many bans with the ones refused, checked or by nft, and applies the rest', async () => {
    const runner = new FakeRunner(['ghost-v4']);
    const fw = new NftFirewall({ runner, clock, log });
    const forged = { ...order('192.0.2.4'), address: { text: '192.0.2.4 }', family: 4 as const } };
    const orders = [order('192.0.2.1'), order('192.0.2.2', 'ghost'), forged, order('192.0.2.3')];
    const refused = await fw.banMany(orders, () => true);
    expect(refused.map((r) => r.order)).toEqual([forged, orders[1]]);
    expect(refused[0]!.err).toBeInstanceOf(TypeError);
    expect(refused[1]!.err).toBeInstanceOf(NftError);
    // The batch, then each of its three checked orders alone.
    expect(runner.scripts).toHaveLength(4);
    expect(runner.scripts.some((s) => s.includes('192.0.2.4'))).toBe(false);
  });

  it('keeps issue order: a jail change runs after the orders issued before it', async () => {
    const runner = new FakeRunner();
    const fw = new NftFirewall({ runner, clock, log });
    const ban = fw.ban(order('192.0.2.1'));
    const removal = fw.removeJail('sshd');
    await Promise.all([ban, removal]);
    expect(runner.scripts).toHaveLength(1); // no table listed, so removal had nothing to do
    expect(runner.scripts[0]).toContain('192.0.2.1');
    expect(runner.lists).toEqual([['list', 'chain', 'inet', 'banhammer', 'input']]);
  });

  it('replaces the jail rules found by comment on a second addJail', async () => {
    const chain = {
      nftables: [
        { rule: { handle: 4, comment: 'banhammer:sshd' } },
        { rule: { handle: 5, comment: 'banhammer:sshd-ddos' } },
        { rule: { handle: 6, comment: 'banhammer:sshd' } },
      ],
    };
    const runner = new FakeRunner([], { 'list chain inet banhammer input': chain });
    const fw = new NftFirewall({ runner, clock, log });
    await fw.addJail({ jail: 'sshd', rules: [{ ports: 'all', protocol: 'all' }] });
    expect(runner.scripts[0]).toContain('delete rule inet banhammer input handle 4\n');
    expect(runner.scripts[0]).toContain('delete rule inet banhammer input handle 6\n');
    expect(runner.scripts[0]).not.toContain('handle 5');
  });

  it('lists both sets and treats a missing set as empty', async () => {
    const v4 = {
      nftables: [{ set: { elem: ['192.0.2.9', { elem: { val: '192.0.2.8', timeout: 60, expires: 42 } }] } }],
    };
    const runner = new FakeRunner([], { 'list set inet banhammer sshd-v4': v4 });
    const fw = new NftFirewall({ runner, clock, log });
    expect(await fw.list('sshd')).toEqual([
      { address: addr('192.0.2.9'), expiresInMs: null },
      { address: addr('192.0.2.8'), expiresInMs: 42_000 },
    ]);
  });

  it('closes by deleting its table', async () => {
    const runner = new FakeRunner();
    await new NftFirewall({ runner, clock, log, table: 'bh_test' }).close();
    expect(runner.scripts).toEqual(['add table inet bh_test\ndelete table inet bh_test\n']);
  });
});
