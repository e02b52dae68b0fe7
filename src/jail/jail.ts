// One jail at run time: lines from its log source go through its filter, ignore list and counter;
// a verdict becomes a ban that is persisted first and then put in the kernel. Owns the jail's
// active-ban table and the timers that retire expired bans (the kernel expires the element
// itself; the timer only keeps our bookkeeping and log in step).

import type { Logger } from 'pino';
import { decide, decideManual } from '../ban/decide.ts';
import { isIgnored } from '../ban/ignore.ts';
import type { Firewall, StateStore } from '../ban/ports.ts';
import type { JailConfig } from '../config/types.ts';
import type { Address } from '../core/address.ts';
import type { Clock } from '../core/clock.ts';
import type { BanOrder, Failure, JailStatus, Line } from '../core/types.ts';
import { FailureCounter } from '../counter/window.ts';
import type { Filter } from '../filter/compile.ts';
import type { LogSource, Subscription } from './ports.ts';

export interface JailDeps {
  readonly config: JailConfig;
  readonly filter: Filter;
  readonly clock: Clock;
  readonly store: StateStore;
  readonly firewall: Firewall;
  readonly source: LogSource;
  readonly log: Logger;
  /** The machine's own addresses, for ignoreself. */
  readonly ownAddresses: readonly Address[];
}

interface ActiveBan {
  readonly order: BanOrder;
  readonly cancel: () => void;
}

export class Jail {
  readonly name: string;
  readonly #d: JailDeps;
  readonly #counter: FailureCounter;
  readonly #active = new Map<string, ActiveBan>();
  #subscription: Subscription | undefined;
  #totalBanned = 0;

  constructor(deps: JailDeps) {
    this.#d = deps;
    this.name = deps.config.name;
    this.#counter = new FailureCounter({
      maxretry: deps.config.maxretry,
      findtimeMs: deps.config.findtimeMs,
    });
  }

  /** Sets up the firewall, re-applies stored bans, restores counts, then starts reading. */
  async start(): Promise<void> {
    const { config, clock, store, firewall, source } = this.#d;
    await firewall.addJail({ jail: this.name, rules: config.blockRules });
    const now = clock.now();
    this.#totalBanned = store.totalBans(this.name);
    const restored: BanOrder[] = [];
    for (const b of store.activeBans(this.name, now)) {
      // An operator who added their address to ignoreip and restarted must get back in.
      if (this.#ignored(b.address)) {
        store.liftBan(this.name, b.address, now);
        this.#d.log.info({ ip: b.address.text }, 'Not restoring the ban of an ignored address.');
      } else restored.push({ ...b, jail: this.name, restored: true });
    }
    await Promise.all(restored.map((order) => this.#enforce(order)));
    if (restored.length > 0) this.#d.log.info({ count: restored.length }, 'Restored bans.');
    for (const f of store.failuresSince(this.name, now - config.findtimeMs)) {
      // Only this process's counter is being rebuilt: no store write, no ban for old news unless due.
      if (this.#ignored(f.address)) continue;
      const verdict = this.#counter.record(f, now);
      if (verdict && !this.#active.has(verdict.address.text))
        await this.#ban(decide(this.name, verdict, config.bantimeMs, now));
    }
    this.#subscription = await source.follow(config.logpaths, (line) => this.handle(line));
  }

  /** Runs one line through the pipeline. Synchronous up to the ban, which it starts. */
  handle(line: Line): void {
    const { filter, config, clock, store, log } = this.#d;
    const now = clock.now();
    const m = filter.match(line.text, now);
    if (!m) return;
    const failure: Failure = { address: m.address, time: m.time ?? line.time, line: line.text };
    if (this.#ignored(m.address)) {
      if (log.isLevelEnabled('debug'))
        log.debug({ ip: m.address.text }, 'Ignored failure from ignored address.');
      return;
    }
    if (this.#active.has(m.address.text)) return;
    store.recordFailure(this.name, failure);
    const verdict = this.#counter.record(failure, now);
    if (!verdict) return;
    void this.#ban(decide(this.name, verdict, config.bantimeMs, now));
  }

  /** An operator's ban; resolves once the kernel has it. */
  async ban(address: Address): Promise<boolean> {
    if (this.#active.has(address.text)) return false;
    await this.#ban(decideManual(this.name, address, this.#d.config.bantimeMs, this.#d.clock.now()));
    return true;
  }

  /** An operator's unban; false when the address was not banned here. */
  async unban(address: Address): Promise<boolean> {
    const active = this.#active.get(address.text);
    if (!active) return false;
    active.cancel();
    this.#active.delete(address.text);
    this.#d.store.liftBan(this.name, address, this.#d.clock.now());
    this.#counter.forget(address);
    await this.#d.firewall.unban({ jail: this.name, address });
    this.#d.log.info({ ip: address.text }, 'Unbanned address.');
    return true;
  }

  status(): JailStatus {
    return {
      name: this.name,
      currentlyFailed: this.#counter.currentlyFailed(this.#d.clock.now()),
      totalFailed: this.#counter.totalFailed,
      files: this.#subscription?.files() ?? [],
      currentlyBanned: this.#active.size,
      totalBanned: this.#totalBanned,
      bannedAddresses: [...this.#active.keys()],
    };
  }

  /** Stops reading and retires timers; kernel state and the store stay for the next start. */
  async stop(): Promise<void> {
    await this.#subscription?.close();
    this.#subscription = undefined;
    for (const a of this.#active.values()) a.cancel();
    this.#active.clear();
  }

  #ignored(address: Address): boolean {
    const { config, ownAddresses } = this.#d;
    return isIgnored(address, config.ignoreip, config.ignoreself ? ownAddresses : []);
  }

  async #ban(order: BanOrder): Promise<void> {
    const { store, log } = this.#d;
    // Persist before the kernel: a crash in between re-applies the ban at the next start.
    store.recordBan(order);
    store.clearFailures(this.name, order.address);
    // A manual ban too starts the address's count afresh, as a verdict does.
    this.#counter.forget(order.address);
    this.#totalBanned++;
    log.info(
      {
        ip: order.address.text,
        failures: order.failures,
        bantime: order.expiresAt === null ? -1 : (order.expiresAt - order.bannedAt) / 1000,
      },
      'Banned address.',
    );
    await this.#enforce(order);
  }

  /** Puts the ban in the kernel and schedules its retirement. */
  async #enforce(order: BanOrder): Promise<void> {
    const { clock, firewall, log } = this.#d;
    const key = order.address.text;
    this.#active.get(key)?.cancel();
    const cancel =
      order.expiresAt === null
        ? () => {}
        : clock.setTimer(order.expiresAt - clock.now(), () => {
            if (this.#active.get(key)?.order !== order) return;
            this.#active.delete(key);
            log.info({ ip: key }, 'Ban expired.');
          });
    this.#active.set(key, { order, cancel });
    try {
      await firewall.ban(order);
    } catch (err) {
      // The ban stays recorded: the next start (or a retry) applies it again.
      log.error({ err, ip: key }, 'Could not apply ban to the firewall.');
    }
  }
}
