// The validated, frozen configuration the loader yields. Runtime objects are built from these
// by main/ and jail/; nothing here holds a file handle, a timer or a compiled regex.

import type { Network } from '../core/address.ts';
import type { BlockRule, PatternSource, PortRange, Protocol } from '../core/types.ts';
import type { ActionFileConfig } from './action-file.ts';
import type { ActionCall } from './action-list.ts';

export interface FilterConfig {
  readonly name: string;
  readonly file: string;
  readonly failregex: readonly PatternSource[];
  readonly ignoreregex: readonly PatternSource[];
  /** fail2ban's prefregex: matched first, its <F-CONTENT> is what failregex then sees. */
  readonly prefregex?: PatternSource;
  /** Lines buffered for multi-line failregex (1: single-line). */
  readonly maxlines?: number;
  readonly datepattern?: string | undefined;
  readonly journalmatch?: string | undefined;
}

/**
 * How a jail's lines arrive, fail2ban's `backend`: inotify (`auto`, `pyinotify`, `gamin`) and
 * polling follow `logpath`; systemd follows the journal through journalctl with the filter's
 * journalmatch, and its options name where the journal is.
 */
export type LogBackend =
  | { readonly kind: 'inotify' }
  | { readonly kind: 'polling' }
  | {
      readonly kind: 'systemd';
      /** A journal directory (journalctl --directory). */
      readonly journalpath?: string;
      /** Journal files (journalctl --file), globs expanded by journalctl. */
      readonly journalfiles?: readonly string[];
      /** sd_journal_open flags: 4 (the default) = the system journal only. */
      readonly journalflags?: number;
      readonly namespace?: string;
    };

/** An option passed through as written, for a later stage to validate with its own rules. */
export interface OptionSource {
  readonly key: string;
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export interface JailConfig {
  readonly name: string;
  /** The file of the jail's section (its first appearance), for problems found after loading. */
  readonly file: string;
  readonly filter: FilterConfig;
  /** Paths or globs, as written (without fail2ban's trailing ` head` / ` tail`). */
  readonly logpaths: readonly string[];
  /**
   * The logpaths written with ` head`: a file never read before starts at its beginning. The
   * rest (` tail`, or nothing) start at their end. Absent: none.
   */
  readonly logpathsFromHead?: readonly string[];
  /** Absent: inotify. */
  readonly backend?: LogBackend;
  readonly maxretry: number;
  readonly findtimeMs: number;
  /** null: banned forever (bantime = -1). */
  readonly bantimeMs: number | null;
  /** The bantime.* options (bantime.increment and friends), validated by ban/increment.ts. */
  readonly bantimeOptions: readonly OptionSource[];
  readonly ignoreip: readonly Network[];
  /** Host names in ignoreip; the daemon resolves them (and again now and then). */
  readonly ignoreHosts: readonly string[];
  /** fail2ban's ignorecommand, with `<ip>`; empty when unset. Exit 0 means: do not ban. */
  readonly ignorecommand: string;
  readonly ignoreself: boolean;
  readonly port: readonly PortRange[];
  readonly protocol: Protocol;
  /** fail2ban's usedns: what to do with a host name where an address was expected. */
  readonly usedns: 'yes' | 'warn' | 'no' | 'raw';
  /** fail2ban's logtimezone for dates without a zone; empty: the machine's local time. */
  readonly logtimezone: string;
  /** One firewall rule per firewall action (iptables*, nftables*). */
  readonly blockRules: readonly BlockRule[];
  /** Mail actions (sendmail-whois and friends), run natively on nodemailer. */
  readonly mailActions: readonly ActionCall[];
  /** Custom actions from action.d, run through /bin/sh. */
  readonly shellActions: readonly ActionFileConfig[];
}

/** How mail actions deliver: `[Mail]` in banhammer.conf. */
export interface MailSettings {
  /** auto: the local sendmail program when it exists, else SMTP. */
  readonly transport: 'auto' | 'sendmail' | 'smtp';
  readonly sendmail: string;
  readonly host: string;
  readonly port: number;
  /** none: plain; starttls: upgrade on the plain port; tls: implicit TLS (port 465). */
  readonly secure: 'none' | 'starttls' | 'tls';
  readonly user: string;
  readonly password: string;
  /** The whois program and how long it may take before the mail goes without its report. */
  readonly whois: string;
  readonly whoisTimeoutMs: number;
}

export interface DaemonConfig {
  readonly logtarget: string;
  /** legacy: fail2ban 0.8 ban lines (WARNING); modern: fail2ban 0.9+ (NOTICE, with the pid). */
  readonly logstyle: 'legacy' | 'modern';
  readonly loglevel: string;
  readonly socket: string;
  readonly pidfile: string;
  readonly dbfile: string;
  readonly dbpurgeageMs: number;
  readonly mail: MailSettings;
}

export interface LoadedConfig {
  readonly daemon: DaemonConfig;
  /** Enabled jails, in config order. */
  readonly jails: readonly JailConfig[];
  /** Things that do not stop the daemon but that an operator should read. */
  readonly warnings: readonly string[];
}
