// The ban lifecycle's notable events: each one logs (and, through the text log, writes the
// fail2ban-format line recidive jails read) in one place. `log` is the jail's child logger, so
// every record carries the jail's name.

import type { Logger } from 'pino';
import type { Address } from '../core/address.ts';
import type { BanOrder } from '../core/types.ts';

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

  /** A ban re-applied at start-up; logged as `Restore Ban`, which recidive filters do not count. */
  restored(order: BanOrder): void {
    this.log.warn({ event: 'restore', ip: order.address.text, bantime: bantime(order) }, 'Restored ban.');
  }

  unbanned(address: Address): void {
    this.log.warn({ event: 'unban', ip: address.text }, 'Unbanned address.');
  }
}
