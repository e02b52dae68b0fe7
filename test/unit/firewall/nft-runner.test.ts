import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { NftCli } from '../../../src/firewall/nft-cli.ts';
import type { NativeAddon, NativeContext } from '../../../src/firewall/nft-native.ts';
import { NftNative } from '../../../src/firewall/nft-native.ts';
import { openNftRunner } from '../../../src/firewall/nft-runner.ts';
import { captureLogger } from '../../support/fakes.ts';

/** An addon whose contexts answer without a kernel; `failReady` makes opening fail. */
function fakeAddon(failReady?: string): NativeAddon & { contexts: { netns?: string; closed: boolean }[] } {
  const contexts: { netns?: string; closed: boolean }[] = [];
  class FakeContext implements NativeContext {
    readonly #state: { netns?: string; closed: boolean };
    constructor(netns?: string) {
      this.#state = { netns, closed: false };
      contexts.push(this.#state);
    }
    async ready(): Promise<void> {
      if (failReady) throw new Error(failReady);
    }
    async run(): Promise<void> {}
    async list(): Promise<string> {
      return '{"nftables": []}';
    }
    async close(): Promise<void> {
      this.#state.closed = true;
    }
  }
  return { NftContext: FakeContext, libraryVersion: '1.0.6', contexts };
}

const WARNING = 'Native nftables addon unavailable; committing each batch through "nft -f -" instead.';

describe('openNftRunner', () => {
  it('returns NftNative, in the namespace asked for, and warns about nothing when the addon opens', async () => {
    const { log, records } = captureLogger();
    const addon = fakeAddon();
    const runner = await openNftRunner(log, { load: () => addon, netns: '/run/netns/x' });
    expect(runner).toBeInstanceOf(NftNative);
    expect(addon.contexts).toEqual([{ netns: '/run/netns/x', closed: false }]);
    expect(await runner.version()).toBe('libnftables 1.0.6 (native)');
    expect(records.filter((r) => r.level >= 40)).toEqual([]);
  });

  it('falls back to the nft command with one warning naming why when the addon cannot load', async () => {
    const { log, records } = captureLogger();
    const missing = '/nonexistent/native/build/Release/banhammer_nft.node';
    const runner = await openNftRunner(log, {
      load: () => createRequire(import.meta.url)(missing) as NativeAddon,
      cliArgv: ['sh', '-c', 'echo "nftables v1.0.6 (Lester Gooch #5)"', 'sh'],
    });
    expect(runner).toBeInstanceOf(NftCli);
    // The fallback is the CLI runner with the given command: it answers the start-up probe.
    expect(await runner.version()).toBe('nftables v1.0.6 (Lester Gooch #5)');
    const warnings = records.filter((r) => r.level >= 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      msg: WARNING,
      command: 'sh -c echo "nftables v1.0.6 (Lester Gooch #5)" sh',
    });
    expect(warnings[0]!.reason).toContain(`Cannot find module '${missing}'`);
  });

  it('falls back when the addon loads but its context cannot open, and closes that context', async () => {
    const { log, records } = captureLogger();
    const addon = fakeAddon('Cannot enter network namespace /run/netns/x: Operation not permitted');
    const runner = await openNftRunner(log, { load: () => addon, netns: '/run/netns/x' });
    expect(runner).toBeInstanceOf(NftCli);
    expect(addon.contexts).toEqual([{ netns: '/run/netns/x', closed: true }]);
    expect(records.filter((r) => r.level >= 40)).toEqual([
      expect.objectContaining({
        msg: WARNING,
        reason: 'Cannot enter network namespace /run/netns/x: Operation not permitted',
        command: 'nsenter --net=/run/netns/x nft',
      }),
    ]);
  });
});
