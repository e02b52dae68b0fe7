// A jail's active bans: the table `banctl status` reads, the timers that retire bans when the
// kernel expires them, and the fan-out of each ban to the firewall and the jail's other actions.
// Invariant: every address in the kernel has an active row in the state file, at every instant
// (a SIGKILL can come at any point). So a new ban goes state file, log line, kernel, then
// actions — a crash after the first step re-applies it at the next start — and an unban goes the
// other way: kernel, then state file. A failing action never undoes or delays the kernel's.
// Retirement timers run on the monotonic clock, as the kernel's timeouts do; a wall-clock step
// moves the bans' wall-clock times instead (step()), so status, file and kernel keep agreeing.
// The fresh bans of one tick are written to the file in one transaction, in a microtask, with
// every other jail's of the tick: it commits before any of them is handed to the firewall, whose
// batch waits for a later microtask.
// A fresh ban of an address the kernel cannot hold is a plain `add element`, a third of the
// kernel and libnftables work of the add, delete and add that refresh a present element's
// timeout (most of a ban storm's firewall time, bench/figures/ban-throughput.mjs). A plain add
// of a present element keeps its old timeout on some kernels, so it is kept for absent ones.
// The kernel cannot hold an address that is not active here unless its last ban expired lately
// (the kernel's timeout began when the firewall applied it and was rounded up to whole seconds,
// so the element may outlive the ban here by that lag and a second) or a lift of it failed
// (#mayHold).
// A restore goes in chunks of RESTORE_CHUNK, yielding between them, so the event loop never
// stalls for the whole table (bench/figures/restore.mjs reports the longest stall). An active ban
// keeps only what its announcements need; their ActionEvent is built when an action hears one.

import type { Logger } from 'pino';
import type { ActionEvent, JailAction, StateStore } from '../ban/ports.ts';
import type { Address } from '../core/address.ts';
import type { Clock } from '../core/clock.ts';
import type { BanOrder } from '../core/types.ts';
import { actionEvent } from './action-event.ts';
import type { JailEvents } from './events.ts';
import { type Expiry, ExpiryQueue } from './expiry-queue.ts';
import type { BanBatchStore, JailFirewall, StepStore } from './ports.ts';

/**
 * How long after a ban's expiry the kernel may still hold its element, beyond the firewall's lag
 * in applying it: its timeout is rounded up to whole seconds, and a margin.
 */
const LINGER_MS = 2_000;
/** The same, for a ban that expired before the firewall said it had applied it. */
const LINGER_UNKNOWN_MS = 60_000;

/** Expiries between two sweeps of the addresses the kernel may still hold. */
const SWEEP_EVERY = 1_024;

/**
 * The firewall's `absent` test for a tick's bans: each entry says whether it was fresh. A storm's
 * ticks are all fresh, so no set of them is built.
 */
function freshOf(live: readonly Active[]): (order: BanOrder) => boolean {
  if (live.every((e) => e.fresh)) return () => true;
  if (!live.some((e) => e.fresh)) return () => false;
  const fresh = new Set(live.flatMap((e) => (e.fresh ? [e.order] : [])));
  return (order) => fresh.has(order);
}

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
  /** Emptied once on file when the jail has no actions: nothing would ever read them again. */
  matches: readonly string[];
  fields: Readonly<Record<string, string>>;
  /** Earlier bans on record; a restored ban's is read when an action first asks (#event). */
  banCount: number | undefined;
  /** Undefined: the ban never expires. */
  expiry: Expiry<Active> | undefined;
  /**
   * Whether the kernel could not hold the address when this ban was made (a plain add); nor, then,
   * can the state file hold an earlier ban of it in force here (NewBan.fresh: no row to lift).
   */
  fresh: boolean;
  /** When it was made, on the monotonic clock. */
  madeAt: number;
  /** How long the kernel's element may outlast the ban: known once the firewall applied it. */
  lingerMs: number;
  /**
   * Whether this is its address's entry in #active: kept with the table, so that telling needs no
   * look-up in it (a storm's commit asked it of every ban, in a table of every address banned).
   */
  live: boolean;
}

/** A fresh ban waiting for the tick's state-file commit. */
interface Pending {
  readonly entry: Active;
  /** Undefined: nobody waits for it (a ban storm's verdicts), so no callback per ban. */
  readonly done: (() => void) | undefined;
}

// Shared by every restored ban: it has neither lines nor captures.
const NO_MATCHES: readonly string[] = Object.freeze([]);
const NO_FIELDS: Readonly<Record<string, string>> = Object.freeze({});

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
  readonly #expiries: ExpiryQueue<Active>;
  /**
   * Addresses whose last ban expired here lately, and until when (monotonic) the kernel may
   * still hold their element. Swept every SWEEP_EVERY expiries.
   */
  readonly #mayHold = new Map<string, number>();
  #expiredSinceSweep = 0;
  /** False once the start-up comparison with the kernel set failed: it may hold anything. */
  #kernelKnown = true;
  #pending: Pending[] = [];

  constructor(deps: BanBookDeps) {
    this.#d = deps;
    // The kernel drops an element itself at expiry; this keeps status and actions in step.
    this.#expiries = new ExpiryQueue(deps.clock, (entry) => this.#expired(entry));
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
   * later failures of the address are not counted; `done` runs once the kernel has it.
   */
  impose(
    order: BanOrder,
    matches: readonly string[],
    banCount: number | undefined,
    fields: Readonly<Record<string, string>> = {},
    done?: () => void,
  ): void {
    const key = order.address.text;
    const earlier = this.#active.get(key);
    const fresh = this.#kernelKnown && earlier === undefined && !this.#mayHoldNow(key);
    const entry = this.#track(this.#unapplied(order, matches, fields, banCount, fresh), earlier);
    if (this.#pending.length === 0) queueMicrotask(() => this.#commit());
    this.#pending.push({ entry, done });
  }

  /** Bans from the state file, re-applied at start-up with their remaining time, by chunks. */
  async restore(stored: readonly BanOrder[], inKernel: ReadonlySet<string> | undefined): Promise<void> {
    const { firewall, events, log } = this.#d;
    // Absent from the set at the listing: a plain add, no timeout refresh needed.
    const absent = (o: BanOrder) => inKernel !== undefined && !inKernel.has(o.address.text);
    const applied: Promise<void>[] = [];
    for (let i = 0; i < stored.length; i += RESTORE_CHUNK) {
      // A turn of the event loop between chunks; the firewall commits each chunk in a microtask
      // queued by its banMany, so the chunk's kernel work overlaps the next chunk.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const chunk = this.#unskewed(stored.slice(i, i + RESTORE_CHUNK));
      events.restored(chunk);
      const entries = chunk.map((order) =>
        this.#track(
          this.#unapplied(order, NO_MATCHES, NO_FIELDS, undefined, false),
          this.#active.get(order.address.text),
        ),
      );
      const sent = firewall.banMany(chunk, absent).then((refused) => {
        // Refused bans stay recorded: the next start applies them again.
        for (const { order, err } of refused)
          log.error({ err, ip: order.address.text }, 'Could not apply ban to the firewall.');
        this.#applied(entries);
        for (const entry of entries) this.#announce('ban', entry);
      });
      applied.push(sent);
    }
    await Promise.all(applied);
  }

  /**
   * Bans dated in the future: the wall clock was set back while we were down. A ban keeps no
   * more than its own length, which is all the kernel had; the file is moved to match.
   */
  #unskewed(orders: readonly BanOrder[]): BanOrder[] {
    const now = this.#d.clock.now();
    const moved: BanOrder[] = [];
    const out = orders.map((o) => {
      if (o.bannedAt <= now) return o;
      const order = shifted(o, now - o.bannedAt);
      moved.push(order);
      return order;
    });
    if (moved.length > 0) this.#d.store.moveBans(this.#d.jail, moved);
    return out;
  }

  /**
   * Hands the tick's fresh bans to the tick's state-file transaction (shared with the other
   * jails' bans of the tick), then, once it has committed, to the firewall.
   */
  #commit(): void {
    const batch = this.#pending;
    this.#pending = [];
    // Lifted (or superseded) before the commit: neither file nor kernel should get it.
    const livePending: Pending[] = [];
    for (const p of batch) {
      if (p.entry.live) livePending.push(p);
      else p.done?.();
    }
    if (livePending.length === 0) return;
    const live = livePending.map((p) => p.entry);
    this.#d.store.recordBansInTick(live, (error) => this.#committed(live, livePending, error));
  }

  /** The tick's transaction has committed (or failed: `error`) with these bans in it. */
  #committed(live: readonly Active[], livePending: readonly Pending[], error: Error | undefined): void {
    const { events, firewall, log } = this.#d;
    if (error) {
      // Not on file, so not in the kernel either (the invariant above); the failures stay too.
      log.error(
        { err: error, bans: live.length },
        'Could not record bans in the state file; not applying them.',
      );
      for (const entry of live) this.#forget(entry);
      for (const p of livePending) p.done?.();
      return;
    }
    // Kept for the ban's lifetime only for actions: a ban storm's lines held in every ban were
    // the bulk of what each young-generation collection had to copy.
    if (this.#d.actions.length === 0)
      for (const entry of live) {
        entry.matches = NO_MATCHES;
        entry.fields = NO_FIELDS;
      }
    const orders = live.map((entry) => entry.order);
    // One log record per run of alike bans (events.ts), and one firewall entry with one promise
    // for the whole batch: a promise per ban was much of a ban storm's garbage.
    events.banned(orders);
    void firewall.banMany(orders, freshOf(live)).then((refused) => {
      // Refused bans stay recorded: the next start applies them again.
      for (const { order, err } of refused)
        log.error({ err, ip: order.address.text }, 'Could not apply ban to the firewall.');
      this.#applied(live);
      for (const entry of live) this.#announce('ban', entry);
      for (const p of livePending) p.done?.();
    });
  }

  /** An operator's unban: out of the kernel now; false when the address was not banned. */
  async lift(address: Address): Promise<boolean> {
    const { store, firewall, jail, clock, events } = this.#d;
    const key = address.text;
    const active = this.#active.get(key);
    if (!active) return false;
    this.#forget(active);
    // Kernel first: a SIGKILL before the state file is written leaves the ban on record, so the
    // next start puts it back (the unban is lost, never the invariant). On a refusal the row
    // stays too: the element may still be in the kernel.
    await firewall.unban({ jail, address }).catch((err: unknown) => {
      // The element may still be in the kernel, with its old timeout: no plain add for it again.
      this.#mayHold.set(key, Number.POSITIVE_INFINITY);
      throw err;
    });
    // A fresh ban of the address while the kernel worked has already superseded this row.
    if (!this.#active.has(key)) store.liftBan(jail, address, clock.now());
    events.unbanned(address);
    this.#announce('unban', active);
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
      this.#kernelKnown = false;
      return undefined;
    }
  }

  /** Stops the retirement timers; the kernel and the state file keep the bans. */
  stop(): void {
    this.#expiries.clear();
    for (const entry of this.#active.values()) entry.live = false;
    this.#active.clear();
    this.#mayHold.clear();
  }

  /**
   * A new entry, before the firewall has applied it. Its fields in one literal: spreading the
   * bookkeeping into it made a second object per ban of a storm.
   */
  #unapplied(
    order: BanOrder,
    matches: readonly string[],
    fields: Readonly<Record<string, string>>,
    banCount: number | undefined,
    fresh: boolean,
  ): Active {
    return {
      order,
      matches,
      fields,
      banCount,
      expiry: undefined,
      fresh,
      madeAt: this.#mono(),
      lingerMs: LINGER_UNKNOWN_MS,
      live: true,
    };
  }

  /** The firewall has applied these bans: their elements' timeouts began by now. */
  #applied(entries: readonly Active[]): void {
    const now = this.#mono();
    for (const e of entries) e.lingerMs = now - e.madeAt + LINGER_MS;
  }

  /** Whether the kernel may still hold the address after its last ban here expired. */
  #mayHoldNow(address: string): boolean {
    const until = this.#mayHold.get(address);
    if (until === undefined) return false;
    if (until > this.#mono()) return true;
    this.#mayHold.delete(address);
    return false;
  }

  #mono(): number {
    const { clock } = this.#d;
    return clock.monotonic?.() ?? clock.now();
  }

  /**
   * Makes the ban active here (superseding an earlier one of its address), with its retirement
   * on the monotonic clock, as the kernel's timeout counts: a wall-clock step moves neither.
   * `earlier`: the address's active entry, as the caller looked it up.
   */
  #track(entry: Active, earlier: Active | undefined): Active {
    const { order } = entry;
    if (earlier) this.#forget(earlier);
    if (order.expiresAt !== null)
      entry.expiry = this.#expiries.add(entry, order.expiresAt - this.#d.clock.now());
    this.#active.set(order.address.text, entry);
    return entry;
  }

  /** No longer active here: out of the table, its retirement cancelled. */
  #forget(entry: Active): void {
    if (entry.expiry) this.#expiries.remove(entry.expiry);
    this.#unlist(entry);
  }

  /** Takes the entry out of the table, and its `live` with it; false when it was not in it. */
  #unlist(entry: Active): boolean {
    if (!entry.live) return false;
    entry.live = false;
    this.#active.delete(entry.order.address.text);
    return true;
  }

  /** The kernel has dropped the element by now. */
  #expired(entry: Active): void {
    const { address } = entry.order;
    if (!this.#unlist(entry)) return;
    const now = this.#mono();
    this.#mayHold.set(address.text, now + entry.lingerMs);
    if (++this.#expiredSinceSweep >= SWEEP_EVERY) {
      this.#expiredSinceSweep = 0;
      for (const [a, until] of this.#mayHold) if (until <= now) this.#mayHold.delete(a);
    }
    this.#d.events.unbanned(address);
    this.#announce('unban', entry);
  }

  /** Runs every action without waiting for any: one slow or failing action holds up nothing. */
  #announce(what: 'ban' | 'unban', entry: Active): void {
    const { restored } = entry.order;
    let event: ActionEvent | undefined;
    for (const action of this.#d.actions) {
      if (restored && action.norestored) continue;
      event ??= this.#event(entry);
      action[what](event).catch((err: unknown) =>
        this.#d.log.error(
          { err, action: action.name, ip: entry.order.address.text },
          `Action ${what} failed.`,
        ),
      );
    }
  }

  /** What the actions are told of a ban. */
  #event(entry: Active): ActionEvent {
    const { store, jail } = this.#d;
    // A restored ban's count is read only when an action is told of it: the first read loads
    // every address's count (store/bans.ts), a tenth of a 100,000-ban restore. Kept, so the ban
    // and unban announcements agree.
    entry.banCount ??= store.banCount(entry.order.address, jail);
    return actionEvent(store, { ...entry, banCount: entry.banCount });
  }
}
