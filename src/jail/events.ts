// The ban lifecycle's notable events: each one logs (and, through the text log, writes the
// fail2ban-format line recidive jails read) in one place. `log` is the jail's child logger, so
// every record carries the jail's name.

import type { Logger } from 'pino';
import type { Address } from '../core/address.ts';
import type { BanOrder } from '../core/types.ts';

/** Addresses per `Restored bans.` record: a JSON line of about 8 KiB. */
export const RESTORE_GROUP = 500;

function bantime(order: BanOrder): number {
  return order.expiresAt === null ? -1 : Math.round((order.expiresAt - order.bannedAt) / 1000);
}

export class JailEvents {
  constructor(private readonly log: Logger) {}

  /** A line matched; fail2ban logs these as `[jail] Found ADDRESS`. */
  found(address: Address): void {
    if (this.log.isLevelEnabled('info'))
      this.log.info({ event: 'found', ip: address.text }, 'Found address.');
  }

  banned(order: BanOrder): void {
    this.log.warn(
      { event: 'ban', ip: order.address.text, failures: order.failures, bantime: bantime(order) },
      'Banned address.',
    );
  }

  /**
   * Bans re-applied at start-up; each is a `Restore Ban` line in the text log, which recidive
   * filters do not count. One record per RESTORE_GROUP addresses: a record per ban was a third
   * of a 100,000-ban restore (bench/figures/restore.mjs), and a group keeps each line short.
   */
  restored(orders: readonly BanOrder[]): void {
    for (let i = 0; i < orders.length; i += RESTORE_GROUP) {
      const ips = orders.slice(i, i + RESTORE_GROUP).map((o) => o.address.text);
      this.log.warn({ event: 'restore', ips, bans: ips.length }, 'Restored bans.');
    }
  }

  unbanned(address: Address): void {
    this.log.warn({ event: 'unban', ip: address.text }, 'Unbanned address.');
  }
}
