// Ports the ban stage consumes, declared here by their consumer and implemented by adapters
// (firewall/, store/). The jail wiring only ever sees these interfaces.

import type { Address } from '../core/address.ts';
import type { BanOrder, BlockRule, Failure, UnbanOrder } from '../core/types.ts';

/** What a jail asks of the firewall: its own sets and one rule per firewall action. */
export interface JailFirewallSpec {
  readonly jail: string;
  readonly rules: readonly BlockRule[];
}

/** An element as the kernel holds it. */
export interface KernelElement {
  readonly address: Address;
  /** Milliseconds left before the kernel drops it; null when it never expires. */
  readonly expiresInMs: number | null;
}

export interface Firewall {
  /** Creates (idempotently) the table, the jail's IPv4 and IPv6 sets and its rules. */
  addJail(spec: JailFirewallSpec): Promise<void>;
  /** Removes the jail's rules and sets. */
  removeJail(jail: string): Promise<void>;
  /**
   * Puts the address in the jail's set with the order's remaining time. Orders issued in the
   * same tick share one kernel transaction; the promise settles when it is committed.
   */
  ban(order: BanOrder): Promise<void>;
  /** Removes the address from the jail's set; absent is not an error. */
  unban(order: UnbanOrder): Promise<void>;
  /** The jail's set contents as the kernel reports them. */
  list(jail: string): Promise<KernelElement[]>;
  /** Removes everything this firewall created. */
  close(): Promise<void>;
}

/** A ban as the state file remembers it. */
export interface BanRecord {
  readonly jail: string;
  readonly address: Address;
  readonly bannedAt: number;
  readonly expiresAt: number | null;
  readonly failures: number;
}

/** Where failures and bans persist across restarts (SQLite in production). */
export interface StateStore {
  /** Queues a failure; it reaches disk with the next saved log position, a second later at most. */
  recordFailure(jail: string, failure: Failure): void;
  /** Failures of `jail` at or after `since`, oldest first. */
  failuresSince(jail: string, since: number): Failure[];
  /**
   * The address's failures in `jail` at or after `since`, oldest first, with their captures;
   * queued ones included. `counted`: how many the caller counted there; once the queue holds
   * that many, the file may be left unread.
   */
  failuresOf(jail: string, address: Address, since: number, counted: number): Failure[];
  /** Forgets the address's failures in the jail (it was just banned). */
  clearFailures(jail: string, address: Address): void;
  /** Records a ban with the lines that led to it. */
  recordBan(order: BanOrder, matches: readonly string[]): void;
  /** Bans of `address` on record (until dbpurgeage forgets them), in `jail` or in every jail. */
  banCount(address: Address, jail: string | undefined): number;
  /** The lines behind the recorded bans of `address`, in `jail` or in every jail, oldest first. */
  banMatches(address: Address, jail: string | undefined): string[];
  /** Marks the jail's active ban of `address` as lifted at `at`. */
  liftBan(jail: string, address: Address, at: number): void;
  /** Bans of `jail` still in force at `now`, in pages, the event loop turning between them (a restore). */
  activeBanPages(jail: string, now: number): AsyncIterable<readonly BanRecord[]>;
  /** How many bans the jail ever issued (restored ones are not new bans). */
  totalBans(jail: string): number;
  /** Writes everything queued. */
  flush(): void;
}

/** A ban or an unban as actions see it: everything fail2ban's action tags can name. */
export interface ActionEvent {
  readonly jail: string;
  readonly address: Address;
  readonly failures: number;
  /** When the ban started (ms since the epoch). */
  readonly time: number;
  /** The ban's length in ms; null = forever. */
  readonly bantimeMs: number | null;
  /** How many earlier bans of this address the history holds (fail2ban's `<bancount>`). */
  readonly banCount: number;
  /** The lines that led to this ban, oldest first. */
  readonly matches: readonly string[];
  /** The filter's <F-…> captures behind the ban, by group name (`user`); empty when restored. */
  readonly fields: Readonly<Record<string, string>>;
  /** Every stored line of this address, in any jail (`<ipmatches>`); read on demand. */
  readonly ipMatches: () => readonly string[];
  /** Every stored line of this address in this jail (`<ipjailmatches>`); read on demand. */
  readonly ipJailMatches: () => readonly string[];
  /** True for a ban re-applied at start-up. */
  readonly restored: boolean;
}

/**
 * One of a jail's actions besides the native firewall: a mail notification or a custom
 * action.d command. Calls never throw into the ban path; the jail logs a rejection and goes on.
 */
export interface JailAction {
  /** The name as written in the jail's `action` option, e.g. `sendmail-whois`. */
  readonly name: string;
  /** fail2ban's `norestored`: do not announce bans restored at start-up. */
  readonly norestored: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  ban(event: ActionEvent): Promise<void>;
  unban(event: ActionEvent): Promise<void>;
}
