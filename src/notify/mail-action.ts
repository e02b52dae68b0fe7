// fail2ban's mail actions (sendmail*, mail*) as a JailAction: start and stop mails, and a ban
// mail composed in the background (whois first, bounded by its own timeout) so `ban()` returns
// at once and never fails because of mail. No shell and no mail(1) anywhere on this path, so
// log lines and whois replies cannot run commands (CVE-2021-32749); they are only body text.

import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ActionEvent, JailAction } from '../ban/ports.ts';
import { ConfigError, type ConfigProblem } from '../core/errors.ts';
import type { MailSink, OutgoingMail } from './mailer.ts';
import {
  composeBan,
  composeStart,
  composeStop,
  isMailKind,
  kindTraits,
  MAIL_KINDS,
  type MailKind,
  type MailText,
  oneLine,
} from './messages.ts';
import type { WhoisLookup } from './whois.ts';

/** The action names this module implements. */
export const MAIL_ACTIONS: ReadonlySet<string> = new Set(MAIL_KINDS);

export interface MailActionDeps {
  readonly jail: string;
  readonly mailer: MailSink;
  readonly whois: WhoisLookup;
  readonly log: Logger;
  /** The host subjects name; default os.hostname(). */
  readonly hostname?: string;
}

export interface MailActionOptions extends MailActionDeps {
  readonly kind: MailKind;
  /** The action's key=value arguments; keys it does not know are ignored. */
  readonly args: Readonly<Record<string, string>>;
}

const DEFAULT_GREPMAX = 1000;
// A deliberately narrow address syntax: no quoting, comments or leading '-', so an address
// can be neither a sendmail option nor a second header.
const ADDRESS = /^[A-Za-z0-9_%+=][A-Za-z0-9._%+=-]*(@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)?$/;

export class MailAction implements JailAction {
  readonly name: MailKind;
  readonly norestored = true;
  readonly #mailer: MailSink;
  readonly #whois: WhoisLookup;
  readonly #log: Logger;
  readonly #host: string;
  readonly #title: string;
  readonly #from: OutgoingMail['from'];
  readonly #to: readonly string[];
  readonly #grepmax: number;
  readonly #inflight = new Set<Promise<void>>();

  /** Throws ConfigError when `dest`, `sender` or `grepmax` is malformed. */
  constructor(options: MailActionOptions) {
    const { kind, jail, args } = options;
    const problems: ConfigProblem[] = [];
    const where = { file: `jail ${jail}, action ${kind}` };
    const addresses = (option: string, text: string): string[] => {
      const list = text.split(/[\s,]+/).filter((a) => a.length > 0);
      const bad = list.length === 0 ? [text] : list.filter((a) => !ADDRESS.test(a));
      for (const b of bad)
        problems.push({ ...where, option, message: `expected an e-mail address, got ${JSON.stringify(b)}` });
      return list;
    };
    this.name = kind;
    this.#mailer = options.mailer;
    this.#whois = options.whois;
    this.#log = options.log;
    this.#host = options.hostname ?? hostname();
    this.#title = args.name || jail;
    this.#to = addresses('dest', args.dest ?? 'root');
    const sender = addresses('sender', args.sender ?? 'banhammer');
    if (sender.length > 1) problems.push({ ...where, option: 'sender', message: 'expected one address' });
    this.#from = { name: oneLine(args.sendername || 'banhammer'), address: sender[0] ?? '' };
    this.#grepmax = Number(args.grepmax ?? DEFAULT_GREPMAX);
    if (!Number.isInteger(this.#grepmax) || this.#grepmax < 1) {
      problems.push({
        ...where,
        option: 'grepmax',
        message: `expected a positive integer, got "${args.grepmax}"`,
      });
    }
    if (problems.length > 0) throw new ConfigError(problems);
  }

  async start(): Promise<void> {
    this.#post(composeStart(this.#title, this.#host));
  }

  /** Lets bans still composing go out first, so the stop mail is the jail's last word. */
  async stop(): Promise<void> {
    await this.idle();
    this.#post(composeStop(this.#title, this.#host));
  }

  async ban(event: ActionEvent): Promise<void> {
    // The jail honours `norestored`; checking here too keeps a restart from mailing every ban.
    if (event.restored) return;
    const job = this.#announce(event).catch((err: Error) =>
      this.#log.error({ address: event.address.text, err: err.message }, 'Could not compose the ban mail.'),
    );
    this.#inflight.add(job);
    void job.finally(() => this.#inflight.delete(job));
  }

  async unban(_event: ActionEvent): Promise<void> {
    // fail2ban's mail actions say nothing on unban.
  }

  /** Resolves when every ban mail under way has been handed to the mailer. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
  }

  async #announce(event: ActionEvent): Promise<void> {
    const traits = kindTraits(this.name);
    const whois = traits.whois ? await this.#lookup(event.address.text) : undefined;
    const lines = traits.lines ? this.#lines(event) : undefined;
    const text = composeBan(this.name, {
      name: this.#title,
      host: this.#host,
      address: event.address.text,
      failures: event.failures,
      time: event.time,
      bantimeMs: event.bantimeMs,
      banCount: event.banCount,
      ...(whois === undefined ? {} : { whois }),
      ...(lines === undefined ? {} : { lines: { items: lines, limit: this.#grepmax } }),
    });
    this.#post(text);
  }

  async #lookup(address: string): Promise<string> {
    try {
      return await this.#whois(address);
    } catch (err) {
      return `whois report unavailable: ${(err as Error).message}`;
    }
  }

  /** The kind's lines, the newest `grepmax` of them (fail2ban's `tail -n <grepmax>`). */
  #lines(event: ActionEvent): readonly string[] {
    let all: readonly string[];
    try {
      const source = kindTraits(this.name).lines;
      all =
        source === 'ipmatches'
          ? event.ipMatches()
          : source === 'ipjailmatches'
            ? event.ipJailMatches()
            : event.matches;
    } catch (err) {
      this.#log.warn(
        { address: event.address.text, err: (err as Error).message },
        'Could not read stored matches.',
      );
      all = [];
    }
    return all.slice(-this.#grepmax);
  }

  #post(text: MailText): void {
    this.#mailer.send({ from: this.#from, to: this.#to, subject: text.subject, text: text.text });
  }
}

/**
 * The mail action called `name` in a jail's `action` option, or undefined when `name` is not a
 * mail action. Throws ConfigError on malformed arguments.
 */
export function createMailAction(
  name: string,
  args: Readonly<Record<string, string>>,
  deps: MailActionDeps,
): MailAction | undefined {
  if (!isMailKind(name)) return undefined;
  return new MailAction({ ...deps, kind: name, args });
}
