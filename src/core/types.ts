// The vocabulary the pipeline stages share. Stages never import each other; they meet here.
// Every time is milliseconds since the epoch and every duration is milliseconds; a ban that
// never ends carries `null` where an end time would be.

import type { Address } from './address.ts';

/** One complete line read from a log source, without its line terminator. */
export interface Line {
  readonly text: string;
  /** The file (or other source) the line came from. */
  readonly source: string;
  /** When the line was read; a failure takes this time when its line carries no date banhammer reads. */
  readonly time: number;
  /**
   * True when `time` is the source's own record of when the line was written (a journal entry):
   * the filter then takes it and does not look for a date in the text, as fail2ban's systemd backend.
   */
  readonly timeKnown?: boolean;
}

/** A line that a jail's filter recognised as an authentication failure by `address`. */
export interface Failure {
  readonly address: Address;
  readonly time: number;
  readonly line: string;
  /** The filter's <F-…> captures (user, ...) by group name, for actions' `<F-USER>` tags. */
  readonly fields?: Readonly<Record<string, string>>;
}

/**
 * The counter's judgement that `address` crossed maxretry inside findtime. The failures' lines
 * and captures are not in it: the state file has them (jail/evidence.ts reads them back).
 */
export interface Verdict {
  readonly address: Address;
  readonly failures: number;
  /** The newest failure's time. */
  readonly time: number;
}

/** An instruction to keep `address` out of `jail` until `expiresAt` (null: forever). */
export interface BanOrder {
  readonly jail: string;
  readonly address: Address;
  readonly bannedAt: number;
  readonly expiresAt: number | null;
  readonly failures: number;
  /** True when the ban is being re-applied after a restart rather than freshly decided. */
  readonly restored: boolean;
}

/** An instruction to lift a ban early (by an operator) or to forget one that expired. */
export interface UnbanOrder {
  readonly jail: string;
  readonly address: Address;
}

/** An inclusive range of transport ports; a single port has `from === to`. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** The transport protocols a firewall rule can be limited to; `all` means any. */
export type Protocol = 'tcp' | 'udp' | 'sctp' | 'dccp' | 'all';

/** What one firewall action of a jail blocks for the jail's banned sources. */
export interface BlockRule {
  /** `all` blocks every port (fail2ban's `*-allports` actions). */
  readonly ports: readonly PortRange[] | 'all';
  readonly protocol: Protocol;
}

/** A regex as written in a filter file, remembered with where it came from. */
export interface PatternSource {
  readonly pattern: string;
  readonly file: string;
  readonly line: number;
}

/** The numbers `banctl status JAIL` shows, in fail2ban-client's vocabulary. */
export interface JailStatus {
  readonly name: string;
  readonly currentlyFailed: number;
  readonly totalFailed: number;
  readonly files: readonly string[];
  readonly currentlyBanned: number;
  readonly totalBanned: number;
  readonly bannedAddresses: readonly string[];
}
