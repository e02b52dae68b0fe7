// NftNative (libnftables in process, native/) against the kernel: its context enters the server
// namespace of a fresh pair, so every table it makes lives and dies there. Also the façade over
// it: one tick's bans are one transaction, however many.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/core/address.ts';
import { systemClock } from '../../src/core/clock.ts';
import { NftError } from '../../src/core/errors.ts';
import type { BanOrder } from '../../src/core/types.ts';
import type { NftRunner } from '../../src/firewall/nft-cli.ts';
import { NftFirewall } from '../../src/firewall/nft-firewall.ts';
import { setElements } from '../../src/firewall/nft-json.ts';
import { NftNative } from '../../src/firewall/nft-native.ts';
import {
  assertNoLeftovers,
  type Netns,
  netnsPath,
  requireNativeAddon,
  requireRoot,
  withNetns,
} from './netns.ts';

const TABLE = 'bh_native';
const SET = `inet ${TABLE} s`;
const CREATE = `add table inet ${TABLE}\nadd set ${SET} { type ipv4_addr; flags timeout; }\n`;

/** `count` distinct IPv4 addresses from 10.0.0.0 upwards; they exist only as set elements. */
function addresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
}

/** A context in the server namespace of a fresh pair, closed before the pair is deleted. */
async function withNative(fn: (native: NftNative, ns: Netns) => Promise<void>): Promise<void> {
  await withNetns(async (ns) => {
    const native = await NftNative.open({ netns: netnsPath(ns.server) });
    try {
      await fn(native, ns);
    } finally {
      await native.close();
    }
  });
}

async function elementsOf(native: NftRunner): Promise<string[]> {
  const doc = await native.listJson(['list', 'set', 'inet', TABLE, 's'], 'list');
  return setElements(doc).map((e) => e.address.text);
}

const ok = requireRoot() && requireNativeAddon();

describe.skipIf(!ok)('NftNative on the kernel', () => {
  afterEach(async () => {
    await assertNoLeftovers();
  });

  it('commits a script inside its namespace and lists it back as JSON', async () => {
    await withNative(async (native, ns) => {
      await native.run(`${CREATE}add element ${SET} { 192.0.2.1, 192.0.2.2 timeout 1h }\n`, 'apply');
      expect((await elementsOf(native)).sort()).toEqual(['192.0.2.1', '192.0.2.2']);
      const doc = await native.listJson(['list', 'tables'], 'probe');
      expect(doc).toMatchObject({
        nftables: [{ metainfo: { json_schema_version: 1 } }, { table: { name: TABLE } }],
      });
      // The namespace holds the table; the test's own namespace never saw it.
      expect((await ns.exec(ns.server, ['nft', 'list', 'tables'])).stdout).toContain(TABLE);
      const host = await NftNative.open();
      try {
        expect(JSON.stringify(await host.listJson(['list', 'tables'], 'probe'))).not.toContain(TABLE);
      } finally {
        await host.close();
      }
      // Changes made behind its back (another nft) are seen: its cache follows the ruleset.
      await ns.exec(ns.server, ['nft', 'add', 'element', 'inet', TABLE, 's', '{ 192.0.2.3 }']);
      expect(await elementsOf(native)).toContain('192.0.2.3');
      expect(await native.version()).toMatch(/^libnftables \S+ \(native\)$/);
    });
  });

  it("rejects a refused script with NftError carrying nft's message and the op, and applies none of it", async () => {
    await withNative(async (native) => {
      const syntax = await native.run('add tabel inet x\n', 'addJail').catch((e: unknown) => e);
      expect(syntax).toBeInstanceOf(NftError);
      expect(syntax).toMatchObject({ code: 'ENFT', op: 'addJail' });
      expect((syntax as NftError).message).toMatch(/^Error: syntax error/);

      // The table is fine, the element's set is not: the whole transaction is refused.
      const script = `${CREATE}add element inet ${TABLE} ghost { 192.0.2.9 }\n`;
      const missing = await native.run(script, 'apply').catch((e: unknown) => e);
      expect(missing).toMatchObject({ name: 'NftError', code: 'ENOENT', op: 'apply' });
      expect((missing as NftError).message).toContain('No such file or directory');
      await expect(native.listJson(['list', 'table', 'inet', TABLE], 'list')).rejects.toMatchObject({
        code: 'ENOENT',
        op: 'list',
      });
    });
  });

  it('maps what does not exist to ENOENT on listJson and refuses non-list commands', async () => {
    await withNative(async (native) => {
      const err = await native.listJson(['list', 'set', 'inet', 'nowhere', 's'], 'list').catch((e) => e);
      expect(err).toBeInstanceOf(NftError);
      expect(err).toMatchObject({ code: 'ENOENT', op: 'list' });
      expect((err as NftError).message).toMatch(/^Error: No such file or directory/);
      await expect(native.listJson(['flush', 'ruleset'], 'list')).rejects.toThrow(TypeError);
      await expect(native.listJson(['list', 'tables;', 'flush', 'ruleset'], 'list')).rejects.toThrow(
        TypeError,
      );
    });
  });

  it('keeps the event loop turning while a 100,000-element batch commits', async () => {
    await withNative(async (native) => {
      const texts = addresses(100_000);
      await native.run(CREATE, 'apply');
      const script = `add element ${SET} { ${texts.join(', ')} }\n`;

      const delay = monitorEventLoopDelay({ resolution: 1 });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      delay.enable();
      const started = process.hrtime.bigint();
      await native.run(script, 'apply');
      const elapsedNs = Number(process.hrtime.bigint() - started);
      delay.disable();
      clearInterval(timer);

      // A commit on the JS thread would have been one stall as long as the whole commit, with
      // no timer firing in between; off the thread, timers fire and no stall comes close.
      expect(ticks).toBeGreaterThan(0);
      expect(delay.max).toBeLessThan(elapsedNs);
      expect(await elementsOf(native)).toHaveLength(100_000);
    });
  });

  it('rejects calls after close, and an open in a namespace that does not exist', async () => {
    await withNetns(async (ns) => {
      const native = await NftNative.open({ netns: netnsPath(ns.server) });
      await native.close();
      await expect(native.run(CREATE, 'apply')).rejects.toMatchObject({ name: 'NftError', op: 'apply' });
    });
    const err = await NftNative.open({ netns: netnsPath(`bh-none-${process.pid}`) }).catch((e) => e);
    expect(err).toMatchObject({ name: 'NftError', code: 'ENOENT', op: 'open' });
    expect((err as NftError).message).toContain('Cannot open network namespace');
  });
});

/** Counts commits on the way to the real runner. */
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

describe.skipIf(!ok)('NftFirewall over NftNative', () => {
  afterEach(async () => {
    await assertNoLeftovers();
  });

  it('lands 10,000 bans issued in one tick in the kernel set with one transaction', async () => {
    await withNative(async (native) => {
      const runner = new CountingRunner(native);
      const fw = new NftFirewall({ runner, clock: systemClock, log: pino({ level: 'silent' }) });
      await fw.addJail({ jail: 'sshd', rules: [{ ports: 'all', protocol: 'all' }] });
      runner.runs = 0;
      const expiresAt = Date.now() + 600_000;
      const texts = addresses(10_000);
      const order = (text: string): BanOrder => ({
        jail: 'sshd',
        address: parseAddress(text)!,
        bannedAt: Date.now(),
        expiresAt,
        failures: 5,
        restored: false,
      });
      await Promise.all(texts.map((t) => fw.ban(order(t))));
      expect(runner.runs).toBe(1);
      const listed = await fw.list('sshd');
      expect(listed).toHaveLength(10_000);
      expect(new Set(listed.map((e) => e.address.text))).toEqual(new Set(texts));
      await fw.close();
    });
  });
});
