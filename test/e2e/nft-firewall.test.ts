// NftFirewall against the real kernel, through both runners (the nft command and libnftables in
// process): nft works inside a fresh server namespace, traffic comes from an attacker namespace
// over a veth, so nothing outside the pair is touched.

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Address, parseAddress } from '../../src/core/address.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { BanOrder } from '../../src/core/types.ts';
import { NftCli, type NftRunner } from '../../src/firewall/nft-cli.ts';
import { NftFirewall } from '../../src/firewall/nft-firewall.ts';
import { NftNative } from '../../src/firewall/nft-native.ts';
import {
  assertNoLeftovers,
  type Netns,
  netnsPath,
  requireNativeAddon,
  requireRoot,
  withNetns,
} from './netns.ts';

const log = pino({ level: 'silent' });
const ssh = { jail: 'sshd', rules: [{ ports: [{ from: 22, to: 22 }], protocol: 'tcp' as const }] };
const addr = (text: string): Address => parseAddress(text)!;
const order = (text: string, expiresAt: number | null, jail = 'sshd'): BanOrder => ({
  jail,
  address: addr(text),
  bannedAt: Date.now(),
  expiresAt,
  failures: 5,
  restored: false,
});

/** Counts commits (`nft -f -` invocations, or libnftables batches) on the way to the real runner. */
class CountingRunner implements NftRunner {
  runs = 0;
  constructor(readonly inner: NftRunner) {}
  run(script: string, op: string): Promise<void> {
    this.runs++;
    return this.inner.run(script, op);
  }
  listJson(args: readonly string[], op: string): Promise<unknown> {
    return this.inner.listJson(args, op);
  }
}

async function tables(ns: Netns): Promise<string> {
  return (await ns.exec(ns.server, ['nft', 'list', 'tables'])).stdout;
}

interface RunnerKind {
  readonly name: string;
  readonly available: boolean;
  open(ns: Netns): Promise<{ runner: NftRunner; close(): Promise<void> }>;
}

const ok = requireRoot();
const kinds: readonly RunnerKind[] = [
  {
    name: 'nft -f -',
    available: ok,
    open: async (ns) => ({
      runner: new NftCli({ argv: ['ip', 'netns', 'exec', ns.server, 'nft'] }),
      close: async () => {},
    }),
  },
  {
    name: 'libnftables',
    available: ok && requireNativeAddon(),
    open: async (ns) => {
      const native = await NftNative.open({ netns: netnsPath(ns.server) });
      return { runner: native, close: () => native.close() };
    },
  },
];

for (const kind of kinds) {
  describe.skipIf(!kind.available)(`NftFirewall on the kernel through ${kind.name}`, () => {
    afterEach(async () => {
      await assertNoLeftovers();
    });

    /** A firewall in a fresh namespace pair; its runner is closed before the pair is deleted. */
    async function withFirewall(
      fn: (ns: Netns, fw: NftFirewall, runner: CountingRunner) => Promise<void>,
    ): Promise<void> {
      await withNetns(async (ns) => {
        const opened = await kind.open(ns);
        const runner = new CountingRunner(opened.runner);
        try {
          await fn(ns, new NftFirewall({ runner, clock: systemClock, log }), runner);
        } finally {
          await opened.close();
        }
      });
    }

    it('blocks a banned source on the jail port until the ban expires', async () => {
      await withFirewall(async (ns, fw) => {
        await fw.addJail(ssh);
        await ns.tcpServer(ns.server, 22);
        const from = (source: string) =>
          ns.canConnect(ns.attacker, ns.serverV4, 22, { sourceAddress: source });
        expect(await from(ns.attackerV4)).toBe(true);

        await fw.ban(order(ns.attackerV4, Date.now() + 3000));
        const bannedAt = Date.now();
        expect(await from(ns.attackerV4)).toBe(false);
        expect(await from(ns.attackerV4Alt)).toBe(true);

        let back = false;
        while (!back && Date.now() - bannedAt < 8000) back = await from(ns.attackerV4);
        expect(back).toBe(true);
        expect(Date.now() - bannedAt).toBeGreaterThanOrEqual(2000);
        await fw.close();
      });
    });

    it('blocks a banned IPv6 source and unbans idempotently', async () => {
      await withFirewall(async (ns, fw) => {
        await fw.addJail(ssh);
        await ns.tcpServer(ns.server, 22);
        const from = (source: string) =>
          ns.canConnect(ns.attacker, ns.serverV6, 22, { sourceAddress: source });

        await fw.ban(order(ns.attackerV6, null));
        expect(await from(ns.attackerV6)).toBe(false);
        expect(await from(ns.attackerV6Alt)).toBe(true);
        expect(await fw.list('sshd')).toEqual([{ address: addr(ns.attackerV6), expiresInMs: null }]);

        await fw.unban(order(ns.attackerV6, null));
        await fw.unban(order(ns.attackerV6, null)); // already absent: still fine
        expect(await from(ns.attackerV6)).toBe(true);
        expect(await fw.list('sshd')).toEqual([]);
        await fw.close();
      });
    });

    it('commits 1,000 bans issued in one tick with one nft invocation', async () => {
      await withFirewall(async (_ns, fw, runner) => {
        await fw.addJail(ssh);
        runner.runs = 0;
        const expiresAt = Date.now() + 600_000;
        const texts = Array.from({ length: 1000 }, (_, i) => `10.50.${i >> 8}.${i & 255}`);
        await Promise.all(texts.map((t) => fw.ban(order(t, expiresAt))));
        expect(runner.runs).toBe(1);
        const listed = await fw.list('sshd');
        expect(new Set(listed.map((e) => e.address.text))).toEqual(new Set(texts));
        for (const e of listed) expect(e.expiresInMs).toBeGreaterThan(590_000);
        await fw.close();
      });
    });

    it('restores many bans in one transaction: absent ones added on one line, each with its own timeout', async () => {
      await withFirewall(async (_ns, fw, runner) => {
        await fw.addJail(ssh);
        await fw.ban(order('10.60.0.1', Date.now() + 100_000));
        runner.runs = 0;
        const now = Date.now();
        const orders = [
          order('10.60.0.1', now + 500_000),
          order('10.60.0.2', now + 200_000),
          order('10.60.0.3', null),
          order('2001:db8::7', now + 300_000),
        ];
        const refused = await fw.banMany(orders, (o) => o.address.text !== '10.60.0.1');
        expect(refused).toEqual([]);
        expect(runner.runs).toBe(1);
        const left = new Map((await fw.list('sshd')).map((e) => [e.address.text, e.expiresInMs]));
        expect([...left.keys()].sort()).toEqual(['10.60.0.1', '10.60.0.2', '10.60.0.3', '2001:db8::7']);
        // The one present got the refresh: its new, longer timeout.
        expect(left.get('10.60.0.1')).toBeGreaterThan(400_000);
        expect(left.get('10.60.0.2')).toBeLessThanOrEqual(200_000);
        expect(left.get('10.60.0.2')).toBeGreaterThan(100_000);
        expect(left.get('10.60.0.3')).toBeNull();
        expect(left.get('2001:db8::7')).toBeGreaterThan(200_000);
        await fw.close();
      });
    });

    it('refreshes the timeout of an address banned again, longer or shorter', async () => {
      await withFirewall(async (ns, fw) => {
        await fw.addJail(ssh);
        const expiresIn = async () => (await fw.list('sshd'))[0]?.expiresInMs;

        await fw.ban(order(ns.attackerV4, Date.now() + 100_000));
        expect(await expiresIn()).toBeLessThanOrEqual(100_000);
        await fw.ban(order(ns.attackerV4, Date.now() + 500_000));
        expect(await expiresIn()).toBeGreaterThan(400_000);
        await fw.ban(order(ns.attackerV4, Date.now() + 50_000));
        expect(await expiresIn()).toBeLessThanOrEqual(50_000);
        await fw.ban(order(ns.attackerV4, null));
        expect(await expiresIn()).toBeNull();
        expect(await fw.list('sshd')).toHaveLength(1);
        await fw.close();
      });
    });

    it("a plain add puts in afresh an element whose timeout ran out (what ban-book's fresh bans rely on)", async () => {
      // Whether a plain add also refreshes a present element's timeout depends on the kernel (this
      // one does; older ones keep the old timeout), so ban-book adds plainly only once the kernel's
      // timeout has surely run out, and refreshes with add, delete, add before that.
      await withFirewall(async (ns, fw) => {
        await fw.addJail(ssh);
        await ns.tcpServer(ns.server, 22);
        const from = () => ns.canConnect(ns.attacker, ns.serverV4, 22, { sourceAddress: ns.attackerV4 });
        const expiresIn = async () => (await fw.list('sshd'))[0]?.expiresInMs;

        await fw.ban(order(ns.attackerV4, Date.now() + 1000));
        expect(await from()).toBe(false);
        const since = Date.now();
        while (!(await from()) && Date.now() - since < 8000);
        // The kernel's timeout has run out (the attacker gets through); its element may linger.
        const refused = await fw.banMany([order(ns.attackerV4, Date.now() + 100_000)], () => true);
        expect(refused).toEqual([]);
        expect(await expiresIn()).toBeGreaterThan(90_000);
        expect(await from()).toBe(false);
        await fw.close();
      });
    });

    it('rejects only the failing order of a batch', async () => {
      await withFirewall(async (_ns, fw, runner) => {
        await fw.addJail(ssh);
        runner.runs = 0;
        const results = await Promise.allSettled([
          fw.ban(order('192.0.2.1', null)),
          fw.ban(order('192.0.2.2', null, 'ghost')),
          fw.ban(order('192.0.2.3', null)),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'ENOENT', op: 'apply' });
        expect(runner.runs).toBe(4);
        expect((await fw.list('sshd')).map((e) => e.address.text).sort()).toEqual(['192.0.2.1', '192.0.2.3']);
        await fw.close();
      });
    });

    it('does not duplicate rules on a second addJail and removes a jail completely', async () => {
      await withFirewall(async (ns, fw) => {
        const rules = async () =>
          (await ns.exec(ns.server, ['nft', 'list', 'chain', 'inet', 'banhammer', 'input'])).stdout;
        await fw.addJail(ssh);
        await fw.addJail(ssh);
        await fw.addJail({
          jail: 'web',
          rules: [
            {
              ports: [
                { from: 80, to: 80 },
                { from: 8000, to: 8080 },
              ],
              protocol: 'all',
            },
          ],
        });
        await fw.ban(order('192.0.2.1', null));
        expect((await rules()).match(/"banhammer:sshd"/g)).toHaveLength(2);
        expect(await rules()).toContain('th dport { 80, 8000-8080 } drop comment "banhammer:web"');

        await fw.removeJail('sshd');
        await fw.removeJail('sshd');
        expect(await rules()).not.toContain('banhammer:sshd');
        const table = (await ns.exec(ns.server, ['nft', 'list', 'table', 'inet', 'banhammer'])).stdout;
        expect(table).not.toContain('sshd-v4');
        expect(table).toContain('web-v4');

        await fw.close();
        expect(await tables(ns)).not.toContain('banhammer');
        await fw.close(); // idempotent
        await fw.removeJail('web'); // no table: nothing to do
      });
    });
  });
}
