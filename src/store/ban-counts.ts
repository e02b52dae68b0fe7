// Bans on record by address, in memory (bantime.increment, `<bancount>`, and whether a new ban
// supersedes an active row): one entry per address, holding its count in every jail and in each
// jail. Read only once a jail needs a count (bantime.increment, actions; jail.ts). Then a ban
// storm's bans each look their address up twice (the count, then the plan), and one map keyed by
// address answers both: a map per jail beside one of totals took up to nine look-ups a ban, in
// maps of 100,000 addresses whose entries are seldom in the processor's cache.

interface Entry {
  /** Bans in every jail. */
  total: number;
  /** The first jail the address was banned in, and its bans there: most addresses have one. */
  readonly jail: string;
  n: number;
  /** Bans in the other jails, by jail. */
  others: Map<string, number> | undefined;
}

export class BanCounts {
  readonly #byAddress = new Map<string, Entry>();

  /** `n` more bans of `address` in `jail`. */
  add(jail: string, address: string, n: number): void {
    const e = this.#byAddress.get(address);
    if (e === undefined) this.#byAddress.set(address, { total: n, jail, n, others: undefined });
    else this.#addTo(e, jail, n);
  }

  /** Bans of `address` in `jail`, or (undefined) in every jail. */
  count(address: string, jail: string | undefined): number {
    const e = this.#byAddress.get(address);
    return e === undefined ? 0 : jail === undefined ? e.total : inJail(e, jail);
  }

  /** One more ban of `address` in `jail`; returns how many it had there before. */
  bump(jail: string, address: string): number {
    const e = this.#byAddress.get(address);
    if (e === undefined) {
      this.#byAddress.set(address, { total: 1, jail, n: 1, others: undefined });
      return 0;
    }
    const before = inJail(e, jail);
    this.#addTo(e, jail, 1);
    return before;
  }

  #addTo(e: Entry, jail: string, n: number): void {
    e.total += n;
    if (e.jail === jail) e.n += n;
    else {
      e.others ??= new Map();
      e.others.set(jail, (e.others.get(jail) ?? 0) + n);
    }
  }
}

function inJail(e: Entry, jail: string): number {
  return e.jail === jail ? e.n : (e.others?.get(jail) ?? 0);
}
