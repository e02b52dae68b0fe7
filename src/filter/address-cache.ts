// Addresses a filter has read, by the text the line gave: an attack repeats a few hundred
// addresses, and parsing one (ipaddr.js) cost 2 us, a quarter of a line's time in `banctl regex`.
// parseLoggedAddress is pure and an Address immutable, so a hit returns what parsing would. When
// full the cache starts over: a flood of distinct addresses costs a parse each, as before, and
// never more memory than this.

import { type Address, parseLoggedAddress } from '../core/address.ts';

const ADDRESS_CACHE = 4096;

export class AddressCache {
  readonly #known = new Map<string, Address | null>();

  parse(text: string): Address | undefined {
    const known = this.#known.get(text);
    if (known !== undefined) return known ?? undefined;
    const address = parseLoggedAddress(text);
    if (this.#known.size >= ADDRESS_CACHE) this.#known.clear();
    this.#known.set(text, address ?? null);
    return address;
  }
}
