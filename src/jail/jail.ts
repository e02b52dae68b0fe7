// One jail at run time: lines from its log source go through its filter, line dating (see
// line-time.ts), ignore list and counter; a verdict becomes a ban in its BanBook. Owns the
// jail's lifecycle (start, stop) and the numbers `banctl status JAIL` shows. A wall-clock step
// moves the failures' and bans' times with it (core/clock.ts), so it neither bans nor unbans.

import type { Logger } from 'pino';
import { decide, decideManual } from '../ban/decide.ts';
import { isIgnored } from '../ban/ignore.ts';
import { type IncrementSettings, nextBantime } from '../ban/increment.ts';
import type { JailAction, StateStore } from '../ban/ports.ts';
import type { JailConfig } from '../config/types.ts';
import type { Address } from '../core/address.ts';
import { type Clock, clockStep } from '../core/clock.ts';
import type { BanOrder, Failure, JailStatus, Line, Verdict } from '../core/types.ts';
import { FailureCounter } from '../counter/window.ts';
import type { Filter, Match } from '../filter/compile.ts';
import { BanBook } from './ban-book.ts';
import { JailEvents } from './events.ts';
import { type Evidence, evidence } from './evidence.ts';
import { LineTimes } from './line-time.ts';
import type { BanBatchStore, JailFirewall, LogSource, Read, StepStore, Subscription } from './ports.ts';
import { matchOnce } from './shared-match.ts';
import { vouches } from './vouch.ts';

export interface JailDeps {
  readonly config: JailConfig;
  readonly filter: Filter;
  readonly clock: Clock;
  readonly store: StateStore & StepStore & BanBatchStore;
  readonly firewall: JailFirewall;
  readonly source: LogSource;
  /** Mail and custom actions; the firewall is not among them. */
  readonly actions?: readonly JailAction[];
  readonly log: Logger;
  /** Addresses never to ban besides ignoreip's networks: with ignoreself, the machine's own. */
  readonly ownAddresses: readonly Address[];
  /** What ignoreip's host names resolve to now. */
  readonly ignoredHosts?: () => readonly Address[];
  /** usedns = yes / warn: resolves a host name a log line gave instead of an address. */
  readonly resolveHost?: (name: string) => Promise<Address[]>;
  /** fail2ban's ignorecommand, asked before a ban: true = leave the address alone. */
  readonly ignoreCommand?: (address: Address) => Promise<boolean>;
  /** bantime.increment: repeat offenders get longer bans. */
  readonly increment?: IncrementSettings;
  /** For bantime.rndtime; Math.random unless a test pins it. */
  readonly random?: () => number;
  /**
   * Told when the jail holds wall-clock records (bans, counted failures) after a line or a ban:
   * they are to be kept in step with the wall clock (checkClock) while they last.
   */
  readonly holdsRecords?: () => void;
}

/** A failure as the filter reported it, before the ignore lists and the counter. */
interface Seen {
  readonly time: number;
  readonly text: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * A failure's text: its line, or every line behind a multi-line failure. Counted first: a storm's
 * one-line failures made an array and a string each only to read their length.
 */
function textOf(m: Match, line: Line): string {
  return m.lineCount > 1 ? m.lines.join('\n') : line.text;
}

export class Jail {
  readonly name: string;
  readonly #d: JailDeps;
  #counter: FailureCounter;
  /** Failures counted by counters replaced since (a clock step rebuilds the counter). */
  #countedBefore = 0;
  readonly #book: BanBook;
  readonly #events: JailEvents;
  readonly #times: LineTimes;
  readonly #step: (now?: number) => number;
  #subscription: Subscription | undefined;
  #totalBanned = 0;
  /** The last read a line came with (handle's `read`), and the time its lines are judged at. */
  #read: { of: Read | undefined; now: number } = { of: undefined, now: 0 };

  constructor(deps: JailDeps) {
    this.#d = deps;
    this.name = deps.config.name;
    this.#counter = this.#newCounter();
    this.#times = new LineTimes(deps.config.findtimeMs, deps.log);
    this.#step = clockStep(deps.clock);
    this.#events = new JailEvents(deps.log);
    this.#book = new BanBook({
      jail: this.name,
      clock: deps.clock,
      store: deps.store,
      firewall: deps.firewall,
      actions: deps.actions ?? [],
      events: this.#events,
      log: deps.log,
    });
  }

  /** Sets up firewall and actions, re-applies stored bans, restores counts, then starts reading. */
  async start(): Promise<void> {
    const { config, clock, store, source, log } = this.#d;
    await this.#d.firewall.addJail({ jail: this.name, rules: config.blockRules });
    for (const action of this.#d.actions ?? []) {
      await action
        .start()
        .catch((err: unknown) => log.error({ err, action: action.name }, 'Action start failed.'));
    }
    const now = clock.now();
    this.#totalBanned = store.totalBans(this.name);
    const restored: BanOrder[] = [];
    const dropped: Address[] = [];
    for await (const page of store.activeBanPages(this.name, now))
      for (const b of page) {
        // An operator who added their address to ignoreip and restarted must get back in.
        if (this.#ignored(b.address)) dropped.push(b.address);
        // Field by field: a spread was a tenth of a 100,000-ban restore (bench/figures/restore.mjs).
        else {
          const { address, bannedAt, expiresAt, failures } = b;
          restored.push({ jail: this.name, address, bannedAt, expiresAt, failures, restored: true });
        }
      }
    const inKernel = await this.#book.dropStale(restored);
    for (const address of dropped) {
      store.liftBan(this.name, address, now);
      log.info({ ip: address.text }, 'Not restoring the ban of an ignored address.');
    }
    await this.#book.restore(restored, inKernel);
    // Rebuilding this process's counter: no store write; a ban only if one was due.
    for (const verdict of this.#recount(now))
      await new Promise<void>((done) => this.#judge(verdict, now, done));
    this.#subscription = await source.follow(
      config.logpaths,
      (line, match, read) => this.handle(line, match, read),
      {
        fromHead: config.logpathsFromHead ?? [],
        filter: this.#d.filter,
      },
    );
    if (this.holdsRecords) this.#d.holdsRecords?.();
  }

  /**
   * The backlog has been read (run.ts calls this once the sources' first reads are done): from
   * now on a line dated far from the clock counts as now (see line-time.ts).
   */
  beginOperation(): void {
    this.#times.beginOperation();
  }

  /**
   * Follows a wall-clock step if there was one; run.ts calls this every second. `now`: the wall
   * clock just read, when the caller has it (a line: one read of each clock per line). True
   * when it followed a step.
   */
  checkClock(now?: number): boolean {
    const delta = this.#step(now);
    if (delta === 0) return false;
    const { store, clock, log } = this.#d;
    log.warn(
      { stepS: Math.round(delta / 1000), bans: this.#book.size },
      'The wall clock stepped; moving ban and failure times with it.',
    );
    this.#book.step(delta);
    store.shiftFailures(this.name, delta);
    this.#countedBefore += this.#counter.totalFailed;
    this.#counter = this.#newCounter();
    const at = clock.now();
    for (const verdict of this.#recount(at)) this.#judge(verdict, at);
    this.#countedBefore -= this.#counter.totalFailed;
    return true;
  }

  /**
   * Runs one line through the pipeline. Synchronous up to the ban, which it starts. `match`: the
   * filter's, when the source already ran it (a run of lines, tail/reader-pool.ts). `read`: the
   * source's read it came with.
   */
  handle(line: Line, match?: Match, read?: Read): void {
    const { filter } = this.#d;
    const now = this.#nowFor(read);
    const m = match ?? matchOnce(filter, line, now);
    if (!m) return;
    const time = this.#times.judge(m.time ?? line.time, now, line.text, line.timeKnown === true);
    if (time === undefined) return;
    const address = m.address;
    if (address) {
      if (this.#skips(address)) return;
      // Read only for a failure that counts: a banned address's lines go on arriving, and the
      // match makes its lines and fields on demand.
      this.#count({ address, time, line: textOf(m, line), fields: m.fields }, now);
    } else if (m.host !== undefined)
      void this.#resolveAndCount(m.host, { time, text: textOf(m, line), fields: m.fields });
  }

  /**
   * The time a line is judged at, after following a wall-clock step if there was one. The lines
   * of one read share it: the clock is read and checked at the read's first line only (two
   * readings per line, wall and monotonic, were ~5% of a ban storm's thread).
   */
  #nowFor(read: Read | undefined): number {
    if (read !== undefined && read === this.#read.of) return this.#read.now;
    const { clock } = this.#d;
    let now = clock.now();
    // After following a step, the time once that is done, as before.
    if (this.checkClock(now)) now = clock.now();
    if (read !== undefined) this.#read = { of: read, now };
    return now;
  }

  /** Whether a failure of `address` is not counted: banned already, or ignored. */
  #skips(address: Address): boolean {
    // Banned first: the cheaper test, and the usual one for an attacker's later lines.
    if (this.#book.has(address)) return true;
    if (!this.#ignored(address)) return false;
    const { log } = this.#d;
    if (log.isLevelEnabled('debug')) log.debug({ ip: address.text }, 'Ignored failure from ignored address.');
    return true;
  }

  #count(failure: Failure, now: number): void {
    this.#events.found(failure.address);
    this.#d.store.recordFailure(this.name, failure);
    const verdict = this.#counter.record(failure, now);
    if (verdict) this.#judge(verdict, now);
    this.#d.holdsRecords?.();
  }

  /** Whether the jail holds records with wall-clock times: bans, or failures it counts. */
  get holdsRecords(): boolean {
    return this.#book.size > 0 || this.#counter.tracked > 0;
  }

  /** usedns: a host name in place of an address is looked up (yes, warn) or left alone (raw). */
  async #resolveAndCount(host: string, seen: Seen): Promise<void> {
    const { config, resolveHost, log, clock } = this.#d;
    if (config.usedns === 'raw' || config.usedns === 'no' || !resolveHost) {
      if (log.isLevelEnabled('debug')) log.debug({ host }, 'Host name not resolved (usedns).');
      return;
    }
    const addresses = await resolveHost(host).catch((err: unknown) => {
      log.warn({ err, host }, 'Could not resolve a host name from the log.');
      return [] as Address[];
    });
    if (config.usedns === 'warn' && addresses.length > 0) {
      log.warn({ host, ip: addresses.map((a) => a.text).join(' ') }, 'Determined address by DNS lookup.');
    }
    for (const address of addresses) {
      if (this.#skips(address)) continue;
      const { time, text, fields } = seen;
      this.#count({ address, time, line: text, fields }, clock.now());
    }
  }

  /** An operator's ban; false when the address is banned already. */
  async ban(address: Address): Promise<boolean> {
    this.checkClock();
    if (this.#book.has(address)) return false;
    const count = this.#d.store.banCount(address, this.name);
    const order = decideManual(this.name, address, this.#bantime(count), this.#d.clock.now());
    await new Promise<void>((done) => this.#impose(order, [], count, {}, done));
    return true;
  }

  /** An operator's unban; false when the address was not banned here. */
  async unban(address: Address): Promise<boolean> {
    this.checkClock();
    this.#counter.forget(address);
    return this.#book.lift(address);
  }

  status(): JailStatus {
    this.checkClock();
    return {
      name: this.name,
      currentlyFailed: this.#counter.currentlyFailed(this.#d.clock.now()),
      totalFailed: this.#countedBefore + this.#counter.totalFailed,
      files: this.#subscription?.files() ?? [],
      currentlyBanned: this.#book.size,
      totalBanned: this.#totalBanned,
      bannedAddresses: this.#book.addresses(),
    };
  }

  /** Stops reading, retires timers and stops actions; kernel state and the store stay. */
  async stop(): Promise<void> {
    // A step not yet noticed must reach the file before the next start reads it.
    this.checkClock();
    await this.#subscription?.close();
    this.#subscription = undefined;
    this.#book.stop();
    for (const action of this.#d.actions ?? []) {
      await action
        .stop()
        .catch((err: unknown) => this.#d.log.error({ err, action: action.name }, 'Action stop failed.'));
    }
  }

  #newCounter(): FailureCounter {
    const { maxretry, findtimeMs } = this.#d.config;
    return new FailureCounter({ maxretry, findtimeMs });
  }

  /** Feeds the failures on file inside findtime to the counter; the verdicts still to judge. */
  #recount(now: number): Verdict[] {
    const { store, config } = this.#d;
    const due: Verdict[] = [];
    for (const f of store.failuresSince(this.name, now - config.findtimeMs)) {
      if (this.#ignored(f.address)) continue;
      // Never after now: the wall clock was set back while we were down.
      const verdict = this.#counter.record(f.time > now ? { ...f, time: now } : f, now);
      if (verdict && !this.#book.has(verdict.address)) due.push(verdict);
    }
    return due;
  }

  #ignored(address: Address): boolean {
    const { config, ownAddresses, ignoredHosts } = this.#d;
    return isIgnored(
      address,
      config.ignoreip,
      config.ignoreself ? ownAddresses : undefined,
      ignoredHosts?.(),
    );
  }

  /** Earlier bans of the address: in this jail, or in every jail with bantime.overalljails. */
  #banCount(address: Address): number {
    return this.#d.store.banCount(address, this.#d.increment?.overalljails ? undefined : this.name);
  }

  #bantime(banCount: number): number | null {
    const { increment, config, log } = this.#d;
    if (!increment?.enabled) return config.bantimeMs;
    return nextBantime(config.bantimeMs, banCount, increment, this.#d.random ?? Math.random, (error) =>
      log.error({ error }, 'bantime.formula failed; using bantime.'),
    );
  }

  /**
   * A verdict becomes a ban unless ignorecommand vouches for the address; `done` runs once the
   * kernel has it, or once no ban follows. Synchronous without ignorecommand: a promise or two
   * per ban was much of a ban storm's garbage (bench/figures/ban-throughput.mjs).
   */
  #judge(verdict: Verdict, now: number, done?: () => void): void {
    const { ignoreCommand, store, config } = this.#d;
    // Before anything awaits: the lines are those of the verdict's failures, no later ones.
    const found = evidence(store, this.name, verdict, config.findtimeMs);
    if (!ignoreCommand) this.#banFor(verdict, now, found, done);
    else
      void vouches(ignoreCommand, verdict.address, this.#d.log).then((ignore) => {
        // Banned meanwhile (another verdict, an operator): nothing more to do.
        if (ignore || this.#book.has(verdict.address)) done?.();
        else this.#banFor(verdict, now, found, done);
      });
  }

  #banFor(verdict: Verdict, now: number, { matches, fields }: Evidence, done?: () => void): void {
    // Earlier bans matter to bantime.increment and to actions' <bancount> only: a jail with
    // neither does not look them up, a look-up per ban of a storm in a map of every address
    // ever banned (and the first one reads them all from the file).
    const count = this.#countsBans ? this.#banCount(verdict.address) : undefined;
    const order = decide(this.name, verdict, this.#bantime(count ?? 0), now);
    this.#impose(order, matches, count, fields, done);
  }

  /** Whether a ban's earlier bans are needed: for bantime.increment, or for the jail's actions. */
  get #countsBans(): boolean {
    return this.#d.increment?.enabled === true || (this.#d.actions?.length ?? 0) > 0;
  }

  #impose(
    order: BanOrder,
    matches: readonly string[],
    banCount: number | undefined,
    fields: Readonly<Record<string, string>>,
    done?: () => void,
  ): void {
    // The ban's transaction forgets the address's failures on file (BanBook.impose).
    // A manual ban, too, starts the address's count afresh, as a verdict does.
    this.#counter.forget(order.address);
    this.#totalBanned++;
    this.#book.impose(order, matches, banCount, fields, done);
    this.#d.holdsRecords?.();
  }
}
