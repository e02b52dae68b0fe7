// Which counter slot an address has, with nothing per address on V8's heap for IPv4: its 32 bits
// key an open-addressing table of two Int32Arrays (linear probing, backward-shift deletion, at
// most half full). A Map of a million scanning addresses took 29 MiB of heap (61 MiB keyed by
// their text), and V8 sizes its heap as a multiple of what stays live: the daemon peaked about
// 80 MiB higher (bench/figures/memory.mjs). IPv6 addresses, rarer, stay in a Map by their text.

import type { Address } from '../core/address.ts';

const INITIAL_CELLS = 1024;
const GOLDEN = 0x9e3779b1;

/** A canonical dotted quad (core/address.ts) as an int32. */
function ipv4Bits(text: string): number {
  let bits = 0;
  let octet = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      bits = (bits << 8) | octet;
      octet = 0;
    } else octet = octet * 10 + c - 48;
  }
  return (bits << 8) | octet;
}

export class SlotIndex {
  #keys = new Int32Array(INITIAL_CELLS);
  /** Slot + 1 per cell; 0: the cell is empty. */
  #slots = new Int32Array(INITIAL_CELLS);
  /** 32 - log2(cells): Fibonacci hashing keeps the top bits of key * GOLDEN. */
  #shift = 32 - Math.log2(INITIAL_CELLS);
  #v4 = 0;
  readonly #v6 = new Map<string, number>();

  get size(): number {
    return this.#v4 + this.#v6.size;
  }

  get(address: Address): number | undefined {
    if (address.family !== 4) return this.#v6.get(address.text);
    const at = this.#find(ipv4Bits(address.text));
    return at < 0 ? undefined : this.#slots[at]! - 1;
  }

  /** Gives `address`, which has no slot yet, `slot`. */
  set(address: Address, slot: number): void {
    if (address.family !== 4) {
      this.#v6.set(address.text, slot);
      return;
    }
    if ((this.#v4 + 1) * 2 > this.#keys.length) this.#rehash(this.#keys.length * 2);
    this.#put(ipv4Bits(address.text), slot);
    this.#v4++;
  }

  delete(address: Address): void {
    if (address.family !== 4) {
      this.#v6.delete(address.text);
      return;
    }
    const at = this.#find(ipv4Bits(address.text));
    if (at >= 0) this.#remove(at);
  }

  /** Drops every address whose slot `expired` says yes to; the table shrinks with them. */
  sweep(expired: (slot: number) => boolean): void {
    for (const [text, slot] of this.#v6) if (expired(slot)) this.#v6.delete(text);
    const slots = this.#slots;
    const before = this.#v4;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] !== 0 && expired(slots[i]! - 1)) {
        slots[i] = 0;
        this.#v4--;
      }
    }
    if (this.#v4 === before) return;
    // Cells emptied in place break the probe runs through them: every entry goes in afresh.
    let cells = INITIAL_CELLS;
    while (this.#v4 * 2 > cells) cells *= 2;
    this.#rehash(cells);
  }

  #home(key: number): number {
    return Math.imul(key, GOLDEN) >>> this.#shift;
  }

  /** The key's cell, or -1. */
  #find(key: number): number {
    const mask = this.#keys.length - 1;
    for (let i = this.#home(key); ; i = (i + 1) & mask) {
      if (this.#slots[i] === 0) return -1;
      if (this.#keys[i] === key) return i;
    }
  }

  #put(key: number, slot: number): void {
    const mask = this.#keys.length - 1;
    let i = this.#home(key);
    while (this.#slots[i] !== 0) i = (i + 1) & mask;
    this.#keys[i] = key;
    this.#slots[i] = slot + 1;
  }

  /** Empties cell `at`, then moves back the entries after it that probing could no longer reach. */
  #remove(at: number): void {
    const keys = this.#keys;
    const slots = this.#slots;
    const mask = keys.length - 1;
    slots[at] = 0;
    this.#v4--;
    let hole = at;
    for (let j = (at + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const home = this.#home(keys[j]!);
      const stays = hole < j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      keys[hole] = keys[j]!;
      slots[hole] = slots[j]!;
      slots[j] = 0;
      hole = j;
    }
  }

  #rehash(cells: number): void {
    const keys = this.#keys;
    const slots = this.#slots;
    this.#keys = new Int32Array(cells);
    this.#slots = new Int32Array(cells);
    this.#shift = 32 - Math.log2(cells);
    for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) this.#put(keys[i]!, slots[i]! - 1);
  }
}
