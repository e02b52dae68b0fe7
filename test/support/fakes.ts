// Test doubles that go through the ports (Clock, Firewall, LogSource) instead of mocking
// modules: time moves only when a test advances it, firewall calls are recorded, and log lines
// arrive when a test emits them.

import pino, { type Logger } from 'pino';
import type { JailFirewallSpec, KernelElement } from '../../src/ban/ports.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { BanOrder, Line, UnbanOrder } from '../../src/core/types.ts';
import type { JailFirewall, LogSource, Refusal, Subscription } from '../../src/jail/ports.ts';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A Clock whose time moves only through `set`, `advance` and `jump`; timers fire in due order.
 * Timers run on the monotonic clock, as Node's do: `jump` steps the wall clock alone (an
 * operator's `date -s`, an NTP step), `advance` moves both.
 */
export class FakeClock implements Clock {
  #mono: number;
  /** Wall clock minus monotonic clock: what `jump` changes. */
  #skew = 0;
  #nextId = 0;
  #timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#mono = start;
  }

  now(): number {
    return this.#mono + this.#skew;
  }

  monotonic(): number {
    return this.#mono;
  }

  /** Moves both clocks so that now() is `t`, without firing timers (for setting up a scene). */
  set(t: number): void {
    this.#mono = t - this.#skew;
  }

  /** Steps the wall clock by `ms` (negative: back); the monotonic clock and timers stay put. */
  jump(ms: number): void {
    this.#skew += ms;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { id: this.#nextId++, due: this.#mono + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet fired nor cancelled. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing each timer due on the way at its own due time, earliest
   * first (ties in creation order); timers armed by a firing timer fire too when due.
   */
  advance(ms: number): void {
    const target = this.#mono + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers) {
        if (t.due > target) continue;
        if (!next || t.due < next.due || (t.due === next.due && t.id < next.id)) next = t;
      }
      if (!next) break;
      const fired = next;
      this.#timers = this.#timers.filter((t) => t !== fired);
      this.#mono = Math.max(this.#mono, fired.due);
      fired.fn();
    }
    this.#mono = target;
  }
}

export type FirewallCall =
  | { readonly op: 'addJail'; readonly spec: JailFirewallSpec }
  | { readonly op: 'removeJail'; readonly jail: string }
  | { readonly op: 'ban'; readonly order: BanOrder }
  | { readonly op: 'unban'; readonly order: UnbanOrder }
  | { readonly op: 'close' };

/** A Firewall that records every call and keeps each jail's set as a map of address → order. */
export class FakeFirewall implements JailFirewall {
  readonly calls: FirewallCall[] = [];
  readonly jails = new Map<string, JailFirewallSpec>();
  /** jail → (address text → the order that put it there). */
  readonly sets = new Map<string, Map<string, BanOrder>>();
  /** When set, ban() rejects with this error (after recording the call). */
  failBans: Error | undefined;
  /** Addresses banned through banMany as known absent from the set, in call order. */
  readonly absent: string[] = [];

  constructor(private readonly clock?: Clock) {}

  get bans(): BanOrder[] {
    return this.calls.flatMap((c) => (c.op === 'ban' ? [c.order] : []));
  }

  get unbans(): UnbanOrder[] {
    return this.calls.flatMap((c) => (c.op === 'unban' ? [c.order] : []));
  }

  /** The addresses currently in the jail's set. */
  elements(jail: string): string[] {
    return [...(this.sets.get(jail)?.keys() ?? [])];
  }

  async addJail(spec: JailFirewallSpec): Promise<void> {
    this.calls.push({ op: 'addJail', spec });
    this.jails.set(spec.jail, spec);
    if (!this.sets.has(spec.jail)) this.sets.set(spec.jail, new Map());
  }

  async removeJail(jail: string): Promise<void> {
    this.calls.push({ op: 'removeJail', jail });
    this.jails.delete(jail);
    this.sets.delete(jail);
  }

  async ban(order: BanOrder): Promise<void> {
    this.calls.push({ op: 'ban', order });
    if (this.failBans) throw this.failBans;
    const set = this.sets.get(order.jail);
    if (!set) throw new Error(`no jail ${order.jail} in the firewall`);
    set.set(order.address.text, order);
  }

  /** Each order through this.ban (so a spy's ban sees it too); the `absent` ones listed in `absent`. */
  async banMany(orders: readonly BanOrder[], absent: (order: BanOrder) => boolean): Promise<Refusal[]> {
    const refused: Refusal[] = [];
    for (const order of orders) {
      if (absent(order)) this.absent.push(order.address.text);
      await this.ban(order).catch((err: unknown) => refused.push({ order, err }));
    }
    return refused;
  }

  async unban(order: UnbanOrder): Promise<void> {
    this.calls.push({ op: 'unban', order });
    this.sets.get(order.jail)?.delete(order.address.text);
  }

  async list(jail: string): Promise<KernelElement[]> {
    const now = this.clock?.now() ?? Date.now();
    return [...(this.sets.get(jail)?.values() ?? [])].map((o) => ({
      address: o.address,
      expiresInMs: o.expiresAt === null ? null : o.expiresAt - now,
    }));
  }

  async close(): Promise<void> {
    this.calls.push({ op: 'close' });
    this.jails.clear();
    this.sets.clear();
  }
}

/** A LogSource fed by the test: `emit(text)` delivers a line to every open subscription. */
export class FakeSource implements LogSource {
  readonly #subscribers = new Set<{ paths: readonly string[]; onLine: (line: Line) => void }>();
  /** Every `follow` call's paths, in order. */
  readonly followed: (readonly string[])[] = [];

  constructor(private readonly clock: Clock) {}

  async follow(paths: readonly string[], onLine: (line: Line) => void): Promise<Subscription> {
    const sub = { paths, onLine };
    this.followed.push(paths);
    this.#subscribers.add(sub);
    return {
      files: () => [...paths],
      close: async () => {
        this.#subscribers.delete(sub);
      },
    };
  }

  /** Open subscriptions. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** One line to every subscriber; like the real sources, one Line object per file. */
  emit(text: string, time = this.clock.now()): void {
    const lines = new Map<string, Line>();
    for (const s of this.#subscribers) {
      const source = s.paths[0] ?? 'fake';
      const line = lines.get(source) ?? { text, source, time };
      lines.set(source, line);
      s.onLine(line);
    }
  }
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A logger at `level` whose records (parsed JSON) land synchronously in `records`. */
export function captureLogger(level: pino.Level = 'debug'): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const stream: pino.DestinationStream = {
    write(msg) {
      for (const line of msg.split('\n')) if (line) records.push(JSON.parse(line));
    },
  };
  return { log: pino({ level }, stream), records };
}
