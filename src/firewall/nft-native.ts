// The NftRunner on libnftables, in process, through native/ (see native/README.md): one nft
// context per instance, served by its own thread (inside a network namespace when asked), so a
// commit never blocks the event loop and one script is one netlink batch, one transaction.
// Same contract as NftCli: NftError with nft's text, an errno code and the op; `list` JSON.
// Policy stays here: the addon receives checked text and only runs it.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { NftError } from '../core/errors.ts';
import type { NftRunner } from './nft-cli.ts';
import { nftErrorCode } from './nft-errno.ts';

/** One libnftables context (native/src/context.cc); every call settles on the JS thread. */
export interface NativeContext {
  /** Resolves once the context is open; rejects with why it cannot be (namespace, socket). */
  ready(): Promise<void>;
  /** Commits a script as one transaction. */
  run(script: string): Promise<void>;
  /** Runs one `list …` command with JSON output and returns the text. */
  list(command: string): Promise<string>;
  /** Frees the context and ends its thread; later calls reject. */
  close(): Promise<void>;
}

/** What native/build/Release/banhammer_nft.node exports. */
export interface NativeAddon {
  readonly NftContext: new (netns?: string) => NativeContext;
  /** The libnftables version the addon was built against, e.g. `1.0.6`. */
  readonly libraryVersion: string;
}

// Relative to this module in src/firewall/ and in dist/firewall/ alike; absolute, so a
// "Cannot find module" names the file an operator should look for.
const ADDON = fileURLToPath(new URL('../../native/build/Release/banhammer_nft.node', import.meta.url));

/** Loads the compiled addon; throws (MODULE_NOT_FOUND, a dlopen error) when it is not usable. */
export function loadNativeAddon(): NativeAddon {
  return createRequire(import.meta.url)(ADDON) as NativeAddon;
}

export interface NftNativeOptions {
  /** Network namespace file to work in, e.g. `/run/netns/NAME`; unset: the process's own. */
  readonly netns?: string;
  /** The loaded addon; loadNativeAddon() unless given. */
  readonly addon?: NativeAddon;
}

// A list command is words only: no separators, newlines or quotes can ride along.
const LIST_WORD = /^[A-Za-z0-9_./:-]+$/;

export class NftNative implements NftRunner {
  readonly #native: NativeContext;
  readonly #version: string;

  private constructor(native: NativeContext, version: string) {
    this.#native = native;
    this.#version = version;
  }

  /** Opens a context (entering `netns` first); rejects with NftError when that fails. */
  static async open(options: NftNativeOptions = {}): Promise<NftNative> {
    const addon = options.addon ?? loadNativeAddon();
    const native = new addon.NftContext(options.netns);
    try {
      await native.ready();
    } catch (err) {
      await native.close().catch(() => {});
      throw toNftError(err, 'open');
    }
    return new NftNative(native, `libnftables ${addon.libraryVersion} (native)`);
  }

  async run(script: string, op: string): Promise<void> {
    if (typeof script !== 'string') throw new TypeError('Expected script to be a string');
    try {
      await this.#native.run(script);
    } catch (err) {
      throw toNftError(err, op);
    }
  }

  async listJson(args: readonly string[], op: string): Promise<unknown> {
    if (args[0] !== 'list' || !args.every((a) => LIST_WORD.test(a))) {
      throw new TypeError(`Expected a list command of plain words, got ${JSON.stringify(args)}`);
    }
    let text: string;
    try {
      text = await this.#native.list(args.join(' '));
    } catch (err) {
      throw toNftError(err, op);
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new NftError(`libnftables printed invalid JSON: ${(err as Error).message}`, 'EJSON', op);
    }
  }

  /** The library's version, e.g. `libnftables 1.0.6 (native)`; the context is already open. */
  async version(): Promise<string> {
    return this.#version;
  }

  /** Frees the context and ends its thread. Needed before deleting the namespace it entered. */
  async close(): Promise<void> {
    await this.#native.close();
  }
}

function toNftError(err: unknown, op: string): NftError {
  const message = err instanceof Error ? err.message.trim() : String(err);
  return new NftError(message, nftErrorCode(message), op);
}
