// What a jail needs from the outside besides the ban stage's ports: a source of log lines, and
// of the state file, the means to follow a wall-clock step.

import type { Firewall } from '../ban/ports.ts';
import type { BanOrder, Line } from '../core/types.ts';
import type { Filter, Match } from '../filter/compile.ts';

/** A fresh ban with the lines that led to it. */
export interface NewBan {
  readonly order: BanOrder;
  readonly matches: readonly string[];
  /**
   * True when the jail knows the address has no earlier ban in force in it (no entry in its ban
   * book, none that just ended or failed to lift, and the kernel set compared at start-up): no
   * row to supersede. Unset: there may be one.
   */
  readonly fresh?: boolean;
}

/** The state file's side of a tick's bans: written together, one commit for all. */
export interface BanBatchStore {
  /**
   * Records every ban (each superseding an earlier active one of its address) and forgets each
   * address's failures in the ban's jail, in one transaction: all of it or, on a throw, none.
   */
  recordBans(bans: readonly NewBan[]): void;
  /**
   * recordBans() in the tick's one transaction, shared by every jail that bans in this tick (one
   * transaction for fifty jails' bans of a line, not fifty). It runs in a microtask queued by the
   * first call of the tick, so after the jails' own commit microtasks; then each caller's `then`
   * runs in call order, with the error when the transaction failed (nothing of it written).
   */
  recordBansInTick(bans: readonly NewBan[], then: (error: Error | undefined) => void): void;
}

/** An order the firewall would not apply, and why. */
export interface Refusal {
  readonly order: BanOrder;
  readonly err: unknown;
}

/** The firewall as a jail drives it: the ban stage's port, and a cheaper way in at start-up. */
export interface JailFirewall extends Firewall {
  /**
   * ban() for many orders, as a restore has them, in one batch with one promise (a promise per
   * ban was a fifth of a 100,000-ban restore). The orders `absent` picks, addresses the jail's
   * set did not hold at its last list(), go in with a plain add, without the delete and add that
   * refresh the timeout of an element present. Never rejects: resolves once the kernel has the
   * batch, with the orders it refused.
   */
  banMany(orders: readonly BanOrder[], absent: (order: BanOrder) => boolean): Promise<Refusal[]>;
}

/**
 * Rewrites of wall-clock times the state file holds, for when the wall clock steps (see
 * core/clock.ts): the kernel's timeouts are relative, so the file is moved to keep agreeing.
 */
export interface StepStore {
  /** Rewrites the start and end of the jail's active bans of these addresses. */
  moveBans(jail: string, orders: readonly BanOrder[]): void;
  /** Moves every failure time of the jail by `deltaMs`. */
  shiftFailures(jail: string, deltaMs: number): void;
}

export interface Subscription {
  /** Files currently followed for this subscriber (globs expanded). */
  files(): string[];
  close(): Promise<void>;
}

export interface FollowOptions {
  /**
   * Patterns of `paths` written with fail2ban's `head`: a file never read before starts at its
   * start rather than its end.
   */
  readonly fromHead?: readonly string[];
  /**
   * For those `fromHead` files, when read from their start at first sight: begin at the first
   * line that can still count, as fail2ban does, rather than at the very start.
   */
  readonly skipOld?: SkipOld;
  /**
   * The subscriber's filter. A file source then reads each run of a file's lines through it in one
   * pass (Filter.readLines, filter/lane.ts) and hands the subscriber only the lines it matched,
   * each with its Match; without it, every line, unmatched. Subscribers sharing a file and a
   * filter instance share the pass.
   */
  readonly filter?: Filter;
}

/** One read of a source, told apart by identity: the same object for every line it gave. */
export type Read = object;

/**
 * A subscriber's line; `match`: its filter's, when the source already ran it (FollowOptions.filter);
 * `read`: the read it came with, when the source tells its reads apart.
 */
export type LineListener = (line: Line, match?: Match, read?: Read) => void;

/** Which lines are too old to count: dated before `since` (now − findtime) by `timeOf`. */
export interface SkipOld {
  readonly since: number;
  /** A line's date in epoch ms, as the jail's filter reads it; undefined when it has none. */
  readonly timeOf: (line: string) => number | undefined;
}

export interface LogSource {
  /**
   * Follows every file matching `paths` (globs allowed): a file read before resumes where the
   * last run stopped; a file never read before starts at its end (`head`: its start); files
   * that appear later are read from their start. Several subscribers of one file share one
   * reader. A source that is not made of files (the journal) ignores `paths`.
   */
  follow(paths: readonly string[], onLine: LineListener, options?: FollowOptions): Promise<Subscription>;
}
