// Chooses how the firewall reaches nftables: libnftables in process (nft-native.ts) when the
// addon loads and opens a context, else the nft command (nft-cli.ts), which commits the very
// same scripts, one `nft -f -` per batch. The fallback is logged once, with its reason, here.

import type { Logger } from 'pino';
import { NftCli, type NftRunner } from './nft-cli.ts';
import { loadNativeAddon, type NativeAddon, NftNative } from './nft-native.ts';

/** A runner that can also say which nftables it drives; start-up probes with it. */
export interface VersionedNftRunner extends NftRunner {
  version(): Promise<string>;
}

export interface OpenNftRunnerOptions {
  /** Network namespace file to work in, e.g. `/run/netns/NAME`; unset: the process's own. */
  readonly netns?: string;
  /** Loads the addon; injectable so a test can make it fail. */
  readonly load?: () => NativeAddon;
  /** The fallback's command; `nft`, entered into `netns` with nsenter when that is set. */
  readonly cliArgv?: readonly string[];
}

/** The native runner, or NftCli with one warning naming why the addon is not used. */
export async function openNftRunner(
  log: Logger,
  options: OpenNftRunnerOptions = {},
): Promise<VersionedNftRunner> {
  try {
    const addon = (options.load ?? loadNativeAddon)();
    const runner = await NftNative.open({ addon, netns: options.netns });
    log.info({ runner: 'native', version: await runner.version() }, 'Using libnftables in process.');
    return runner;
  } catch (err) {
    const argv = options.cliArgv ?? (options.netns ? ['nsenter', `--net=${options.netns}`, 'nft'] : ['nft']);
    log.warn(
      // The first line names the cause; a require stack follows it for a missing file.
      { reason: (err instanceof Error ? err.message : String(err)).split('\n')[0], command: argv.join(' ') },
      'Native nftables addon unavailable; committing each batch through "nft -f -" instead.',
    );
    return new NftCli({ argv });
  }
}
