// A jail's active bans: the table `banctl status` reads, the timers that retire bans when the
// kernel expires them, and the fan-out of each ban to the firewall and the jail's other actions.
// Invariant: every address in the kernel has an active row in the state file, at every instant
// (a SIGKILL can come at any point). So a new ban goes state file, log line, kernel, then
// actions — a crash after the first step re-applies it at the next start — and an unban goes the
// other way: kernel, then state file. A failing action never undoes or delays the kernel's.
// Retirement timers run on the monotonic clock, as the kernel's timeouts do; a wall-clock step
// moves the bans' wall-clock times instead (step()), so status, file and kernel keep agreeing.
// The fresh bans of one tick are written to the file in one transaction, in a microtask: it
// commits before any of them is handed to the firewall, whose batch waits for setImmediate.
// A restore goes in chunks of RESTORE_CHUNK, yielding between them, so the event loop never
// stalls for the whole table (bench/figures/restore.mjs reports the longest stall).

import type { Logger } from 'pino';
import type { ActionEvent, JailAction, StateStore } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import type { Clock } from '../core/clock.ts';
import type { BanOrder } from '../core/types.ts';
import type { JailEvents } from './events.ts';
import type { BanBatchStore, JailFirewall, StepStore } from './ports.ts';

/** Restored bans per step: one firewall batch each, then a turn of the event loop. */
export const RESTORE_CHUNK = 5_000;

export interface BanBookDeps {
  readonly jail: string;
  readonly clock: Clock;
  readonly store: StateStore & StepStore & BanBatchStore;
  readonly firewall: JailFirewall;
  readonly actions: readonly JailAction[];
  readonly events: JailEvents;
  readonly log: Logger;
}

interface Active {
  /** Replaced, times moved, when the wall clock steps. */
  order: BanOrder;
  readonly event: ActionEvent;
  readonly cancel: () => void;
}

/** A fresh ban waiting for the tick's state-file commit. */
interface Pending {
  readonly order: BanOrder;
  readonly matches: readonly string[];
  readonly entry: Active;
  readonly done: () => void;
}

/** The order with its wall-clock times moved by `deltaMs`. */
function shifted(order: BanOrder, deltaMs: number): BanOrder {
  return {
    ...order,
    bannedAt: order.bannedAt + deltaMs,
    expiresAt: order.expiresAt === null ? null : order.expiresAt + deltaMs,
  };
}

export class BanBook {
  readonly #d: BanBookDeps;
  readonly #active = new Map<string, Active>();
  #pending: Pending[] = [];

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

  /**
   * A fresh ban: recorded with its lines (and its failures forgotten) in the tick's transaction,
   * then logged, put in the kernel and announced to actions. Active here at once, so the tick's
   * later failures of the address are not counted; settles once the kernel has it.
   */
  impose(
    order: BanOrder,
    matches: readonly string[],
    banCount: number,
    fields: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const entry = this.#track(order, this.#event(order, matches, banCount, fields));
    return new Promise<void>((done) => {
      if (this.#pending.length === 0) queueMicrotask(() => this.#commit());
      this.#pending.push({ order, matches, entry, done });
    });
  }

  /** Bans from the state file, re-applied at start-up with their remaining time, by chunks. */
  async restore(stored: readonly BanOrder[], inKernel: ReadonlySet<string> | undefined): Promise<void> {
    const applied: Promise<void>[] = [];
    for (let i = 0; i < stored.length; i += RESTORE_CHUNK) {
      // setImmediate after the chunk's orders: the firewall's own setImmediate, queued by the
      // chunk's first order, commits it first; its kernel work then overlaps the next chunk.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const order of stored.slice(i, i + RESTORE_CHUNK)) {
        applied.push(this.#restoreOne(order, inKernel?.has(order.address.text) ?? true));
      }
    }
    await Promise.all(applied);
  }

  #restoreOne(stored: BanOrder, inKernel: boolean): Promise<void> {
    const { store, jail, clock, firewall } = this.#d;
    let order = stored;
    // Dated in the future: the wall clock was set back while we were down. A ban keeps no more
    // than its own length, which is all the kernel had.
    const ahead = order.bannedAt - clock.now();
    if (ahead > 0) {
      order = shifted(order, -ahead);
      store.moveBans(jail, [order]);
    }
    this.#d.events.restored(order);
    const event = this.#event(order, [], store.banCount(order.address, jail));
    this.#track(order, event);
    // Absent from the set at the listing: a plain add, no timeout refresh needed.
    return this.#send(order, event, inKernel ? (o) => firewall.ban(o) : (o) => firewall.banAbsent(o));
  }

  /** Writes the tick's fresh bans in one transaction, then hands them to the firewall. */
  #commit(): void {
    const { store, events, firewall, log } = this.#d;
    const batch = this.#pending;
    this.#pending = [];
    // Lifted (or superseded) before the commit: neither file nor kernel should get it.
    const isLive = (p: Pending) => this.#active.get(p.order.address.text) === p.entry;
    const live = batch.filter(isLive);
    try {
      store.recordBans(live);
    } catch (err) {
      // Not on file, so not in the kernel either (the invariant above); the failures stay too.
      log.error({ err, bans: live.length }, 'Could not record bans in the state file; not applying them.');
      for (const p of live) {
        p.entry.cancel();
        this.#active.delete(p.order.address.text);
      }
      for (const p of batch) p.done();
      return;
    }
    for (const p of batch) {
      if (!isLive(p)) {
        p.done();
        continue;
      }
      events.banned(p.order);
      void this.#send(p.order, p.entry.event, (o) => firewall.ban(o)).then(p.done);
    }
  }

  /** An operator's unban: out of the kernel now; false when the address was not banned. */
  async lift(address: Address): Promise<boolean> {
    const { store, firewall, jail, clock, events } = this.#d;
    const key = address.text;
    const active = this.#active.get(key);
    if (!active) return false;
    active.cancel();
    this.#active.delete(key);
    // Kernel first: a SIGKILL before the state file is written leaves the ban on record, so the
    // next start puts it back (the unban is lost, never the invariant). On a refusal the row
    // stays too: the element may still be in the kernel.
    await firewall.unban({ jail, address });
    // A fresh ban of the address while the kernel worked has already superseded this row.
    if (!this.#active.has(key)) store.liftBan(jail, address, clock.now());
    events.unbanned(address);
    this.#announce('unban', active.event);
    return true;
  }

  /**
   * The wall clock stepped by `deltaMs`: the kernel's timeouts and our timers are relative and
   * did not move, so each ban's start and end move with the wall clock, in memory and on file;
   * a restart then restores exactly the time the kernel has left.
   */
  step(deltaMs: number): void {
    const moved: BanOrder[] = [];
    for (const a of this.#active.values()) {
      a.order = shifted(a.order, deltaMs);
      moved.push(a.order);
    }
    this.#d.store.moveBans(this.#d.jail, moved);
  }

  /**
   * After a SIGKILL the kernel table outlives the process: an element whose ban the state file
   * no longer holds as active (lifted, expired, or of an address now ignored) leaves the kernel
   * before anything else at start-up, so the kernel holds nothing the file and `status` do not.
   * Returns the addresses of `keep` the set holds; undefined when the kernel could not be read.
   */
  async dropStale(keep: readonly BanOrder[]): Promise<ReadonlySet<string> | undefined> {
    const { firewall, log, jail } = this.#d;
    const wanted = new Set(keep.map((o) => o.address.text));
    try {
      const listed = await firewall.list(jail);
      const stale = listed.filter((e) => !wanted.has(e.address.text));
      await Promise.all(stale.map((e) => firewall.unban({ jail, address: e.address })));
      if (stale.length > 0)
        log.info({ elements: stale.length }, 'Removed kernel elements with no active ban.');
      // What the set still holds: the elements a restore must refresh rather than only add.
      return new Set(listed.flatMap((e) => (wanted.has(e.address.text) ? [e.address.text] : [])));
    } catch (err) {
      log.error({ err }, 'Could not compare the kernel set with the state file.');
      return undefined;
    }
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

  /** Makes the ban active here, with the timer that retires it when the kernel expires it. */
  #track(order: BanOrder, event: ActionEvent): Active {
    const { clock, events } = this.#d;
    const key = order.address.text;
    this.#active.get(key)?.cancel();
    // The kernel drops the element itself at expiry; this timer keeps status and actions in step.
    // Both count relative time, so a wall-clock step moves neither.
    let entry: Active | undefined;
    const cancel =
      order.expiresAt === null
        ? () => {}
        : clock.setTimer(order.expiresAt - clock.now(), () => {
            if (!entry || this.#active.get(key) !== entry) return;
            this.#active.delete(key);
            events.unbanned(order.address);
            this.#announce('unban', event);
          });
    entry = { order, event, cancel };
    this.#active.set(key, entry);
    return entry;
  }

  /** Puts the ban in the kernel, then announces it; a refusal is logged, never thrown. */
  async #send(order: BanOrder, event: ActionEvent, put: (o: BanOrder) => Promise<void>): Promise<void> {
    try {
      await put(order);
    } catch (err) {
      // The ban stays recorded: the next start applies it again.
      this.#d.log.error({ err, ip: order.address.text }, 'Could not apply ban to the firewall.');
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
