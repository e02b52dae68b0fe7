// A jail's active bans: the table `banctl status` reads, the timers that retire bans when the
// kernel expires them, and the fan-out of each ban to the firewall and the jail's other actions.
// Order of a new ban: state file, log line, kernel, then actions — a crash after the first step
// re-applies the ban at the next start; a failing action never undoes or delays the kernel's.

import type { Logger } from 'pino';
import type { ActionEvent, Firewall, JailAction, StateStore } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import type { Clock } from '../core/clock.ts';
import type { BanOrder } from '../core/types.ts';
import type { JailEvents } from './events.ts';

export interface BanBookDeps {
  readonly jail: string;
  readonly clock: Clock;
  readonly store: StateStore;
  readonly firewall: Firewall;
  readonly actions: readonly JailAction[];
  readonly events: JailEvents;
  readonly log: Logger;
}

interface Active {
  readonly order: BanOrder;
  readonly event: ActionEvent;
  readonly cancel: () => void;
}

export class BanBook {
  readonly #d: BanBookDeps;
  readonly #active = new Map<string, Active>();

  constructor(deps: BanBookDeps) {
    this.#d = deps;
  }

  has(address: Address): boolean {
    return this.#active.has(address.text);
  }

  get size(): number {
    return this.#active.size;
  }

  addresses(): string[] {
    return [...this.#active.keys()];
  }

  /** A fresh ban: recorded with its lines, logged, put in the kernel, announced to actions. */
  async impose(
    order: BanOrder,
    matches: readonly string[],
    banCount: number,
    fields: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const { store, events } = this.#d;
    store.recordBan(order, matches);
    events.banned(order);
    await this.#apply(order, this.#event(order, matches, banCount, fields));
  }

  /** A ban from the state file, re-applied at start-up with its remaining time. */
  async restore(order: BanOrder): Promise<void> {
    this.#d.events.restored(order);
    await this.#apply(order, this.#event(order, [], this.#d.store.banCount(order.address, this.#d.jail)));
  }

  /** An operator's unban: out of the kernel now; false when the address was not banned. */
  async lift(address: Address): Promise<boolean> {
    const active = this.#active.get(address.text);
    if (!active) return false;
    active.cancel();
    this.#active.delete(address.text);
    this.#d.store.liftBan(this.#d.jail, address, this.#d.clock.now());
    await this.#d.firewall.unban({ jail: this.#d.jail, address });
    this.#d.events.unbanned(address);
    this.#announce('unban', active.event);
    return true;
  }

  /** Stops the retirement timers; the kernel and the state file keep the bans. */
  stop(): void {
    for (const a of this.#active.values()) a.cancel();
    this.#active.clear();
  }

  #event(
    order: BanOrder,
    matches: readonly string[],
    banCount: number,
    fields: Readonly<Record<string, string>> = {},
  ): ActionEvent {
    const { store, jail } = this.#d;
    return {
      jail,
      address: order.address,
      failures: order.failures,
      time: order.bannedAt,
      bantimeMs: order.expiresAt === null ? null : order.expiresAt - order.bannedAt,
      banCount,
      matches,
      fields,
      ipMatches: () => store.banMatches(order.address, undefined),
      ipJailMatches: () => store.banMatches(order.address, jail),
      restored: order.restored,
    };
  }

  async #apply(order: BanOrder, event: ActionEvent): Promise<void> {
    const { clock, firewall, log, events } = this.#d;
    const key = order.address.text;
    this.#active.get(key)?.cancel();
    // The kernel drops the element itself at expiry; this timer keeps status and actions in step.
    const cancel =
      order.expiresAt === null
        ? () => {}
        : clock.setTimer(order.expiresAt - clock.now(), () => {
            if (this.#active.get(key)?.order !== order) return;
            this.#active.delete(key);
            events.unbanned(order.address);
            this.#announce('unban', event);
          });
    this.#active.set(key, { order, event, cancel });
    try {
      await firewall.ban(order);
    } catch (err) {
      // The ban stays recorded: the next start applies it again.
      log.error({ err, ip: key }, 'Could not apply ban to the firewall.');
    }
    this.#announce('ban', event);
  }

  /** Runs every action without waiting for any: one slow or failing action holds up nothing. */
  #announce(what: 'ban' | 'unban', event: ActionEvent): void {
    for (const action of this.#d.actions) {
      if (event.restored && action.norestored) continue;
      action[what](event).catch((err: unknown) =>
        this.#d.log.error({ err, action: action.name, ip: event.address.text }, `Action ${what} failed.`),
      );
    }
  }
}
