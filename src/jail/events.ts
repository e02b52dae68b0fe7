// The ban lifecycle's notable events: each one logs (and, through the text log, writes the
// fail2ban-format line recidive jails read) in one place. `log` is the jail's child logger, so
// every record carries the jail's name. A ban storm logs a `Found` per failure and a `Ban` per
// ban: one pino record each was a fifth of bench/figures/ban-throughput.mjs's time (serialised,
// then parsed again by the text log), so they go out in groups, a tick's `Found`s together and
// a commit's bans together; the text log still writes one fail2ban line per address.

import type { Logger } from 'pino';
import type { Address } from '../core/address.ts';
import type { BanOrder } from '../core/types.ts';

/** Addresses per grouped record (found, ban, restore): a JSON line of about 8 KiB. */
export const EVENT_GROUP = 500;

function bantime(order: BanOrder): number {
  return order.expiresAt === null ? -1 : Math.round((order.expiresAt - order.bannedAt) / 1000);
}

export class JailEvents {
  /** Addresses found this tick and not logged yet, in the order they were found. */
  #found: string[] = [];

  constructor(private readonly log: Logger) {}

  /**
   * A line matched; fail2ban logs these as `[jail] Found ADDRESS`. Logged at the end of the
   * tick, or before the next other event of the jail, so the text log keeps fail2ban's order
   * (the `Found` lines of an address before its `Ban`).
   */
  found(address: Address): void {
    // The level is asked once per group, not per failure.
    if (this.#found.length === 0) {
      if (!this.log.isLevelEnabled('info')) return;
      queueMicrotask(() => this.flush());
    }
    this.#found.push(address.text);
    if (this.#found.length >= EVENT_GROUP) this.flush();
  }

  /** Logs the `Found` addresses still held. */
  flush(): void {
    if (this.#found.length === 0) return;
    const ips = this.#found;
    this.#found = [];
    if (ips.length === 1) this.log.info({ event: 'found', ip: ips[0] }, 'Found address.');
    else this.log.info({ event: 'found', ips, count: ips.length }, 'Found addresses.');
  }

  /**
   * Fresh bans, in order: one record per ban when alone, otherwise one per run of bans with the
   * same failures and bantime (a storm's are all alike), at most EVENT_GROUP addresses each.
   */
  banned(orders: readonly BanOrder[]): void {
    this.flush();
    for (let i = 0; i < orders.length; ) {
      const first = orders[i]!;
      const failures = first.failures;
      const seconds = bantime(first);
      const ips = [first.address.text];
      for (i++; i < orders.length && ips.length < EVENT_GROUP; i++) {
        const o = orders[i]!;
        if (o.failures !== failures || bantime(o) !== seconds) break;
        ips.push(o.address.text);
      }
      if (ips.length === 1)
        this.log.warn({ event: 'ban', ip: ips[0], failures, bantime: seconds }, 'Banned address.');
      else
        this.log.warn(
          { event: 'ban', ips, failures, bantime: seconds, bans: ips.length },
          'Banned addresses.',
        );
    }
  }

  /**
   * Bans re-applied at start-up; each is a `Restore Ban` line in the text log, which recidive
   * filters do not count. One record per EVENT_GROUP addresses: a record per ban was a third
   * of a 100,000-ban restore (bench/figures/restore.mjs), and a group keeps each line short.
   */
  restored(orders: readonly BanOrder[]): void {
    this.flush();
    for (let i = 0; i < orders.length; i += EVENT_GROUP) {
      const ips = orders.slice(i, i + EVENT_GROUP).map((o) => o.address.text);
      this.log.warn({ event: 'restore', ips, bans: ips.length }, 'Restored bans.');
    }
  }

  unbanned(address: Address): void {
    this.flush();
    this.log.warn({ event: 'unban', ip: address.text }, 'Unbanned address.');
  }
}
