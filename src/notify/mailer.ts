// The outgoing mail queue. `send` only enqueues, so no ban ever waits on a mail server; one
// message is in flight at a time, failures retry with growing back-off (timers on the injected
// Clock) and permanent rejections (5xx) give up at once. The queue is bounded: in a ban storm
// the oldest mail is dropped with a warning rather than growing memory without limit.

import type { ConnectionOptions } from 'node:tls';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { MailSettings } from '../config/types.ts';
import type { Clock } from '../core/clock.ts';
import { requirePackage } from '../core/require-package.ts';
import { chooseTransport, sendmailOptions, smtpOptions } from './transport.ts';

const nodemailer = requirePackage('nodemailer') as typeof import('nodemailer');

/** One message as mail actions hand it over; addresses are already validated. */
export interface OutgoingMail {
  readonly from: { readonly name: string; readonly address: string };
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** What mail actions need of the mailer. */
export interface MailSink {
  send(mail: OutgoingMail): void;
}

export interface MailerOptions {
  readonly settings: MailSettings;
  readonly clock: Clock;
  readonly log: Logger;
  /** Wait before each retry; its length is the number of retries. */
  readonly backoffMs?: readonly number[];
  readonly maxQueue?: number;
  /** Extra TLS settings for SMTP, e.g. a private CA to trust. */
  readonly tls?: ConnectionOptions;
}

export const DEFAULT_BACKOFF_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000];
export const DEFAULT_MAX_QUEUE = 1_000;

interface Entry {
  readonly mail: OutgoingMail;
  attempts: number;
  dueAt: number;
}

export class Mailer implements MailSink {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #backoff: readonly number[];
  readonly #maxQueue: number;
  readonly #transport: Transporter;
  /** Per-message options nodemailer takes only there, not from the transport's options. */
  readonly #compose: { newline?: string };
  #queue: Entry[] = [];
  #busy = false;
  #closed = false;
  #cancelWake: (() => void) | undefined;
  #drained: Array<() => void> = [];

  constructor(options: MailerOptions) {
    this.#clock = options.clock;
    this.#log = options.log;
    this.#backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.#maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    const { settings } = options;
    const kind = chooseTransport(settings);
    this.#transport =
      kind === 'sendmail'
        ? nodemailer.createTransport(sendmailOptions(settings))
        : nodemailer.createTransport(smtpOptions(settings, options.tls));
    // A local sendmail reads its standard input as a text file: LF line ends, not SMTP's CRLF.
    this.#compose = kind === 'sendmail' ? { newline: 'unix' } : {};
    const where =
      kind === 'sendmail' ? { path: settings.sendmail } : { host: settings.host, port: settings.port };
    this.#log.info({ transport: kind, ...where, secure: settings.secure }, 'Mail transport ready.');
  }

  /** Messages waiting or in flight. */
  get pending(): number {
    return this.#queue.length + (this.#busy ? 1 : 0);
  }

  /** Queues `mail` and returns at once; delivery and its retries happen in the background. */
  send(mail: OutgoingMail): void {
    if (this.#closed) {
      this.#log.warn({ to: mail.to, subject: mail.subject }, 'Mailer closed; mail dropped.');
      return;
    }
    if (this.#queue.length >= this.#maxQueue) {
      const dropped = this.#queue.shift()!;
      this.#log.warn(
        { to: dropped.mail.to, subject: dropped.mail.subject, maxQueue: this.#maxQueue },
        'Mail queue full; dropped the oldest mail.',
      );
    }
    this.#queue.push({ mail, attempts: 0, dueAt: this.#clock.now() });
    // A microtask, so the caller's turn finishes before nodemailer starts composing.
    queueMicrotask(() => this.#pump());
  }

  /** Resolves true once nothing is waiting or in flight, false when `timeoutMs` passes first. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        resolve(true);
      };
      const cancel = this.#clock.setTimer(timeoutMs, () => {
        this.#drained = this.#drained.filter((d) => d !== done);
        resolve(false);
      });
      this.#drained.push(done);
    });
  }

  /** Stops delivering; what is still queued is dropped (call `flush` first to wait for it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelWake?.();
    if (this.#queue.length > 0)
      this.#log.warn({ dropped: this.#queue.length }, 'Mailer closed with mail queued.');
    this.#queue = [];
    this.#transport.close();
    this.#settle();
  }

  #pump(): void {
    if (this.#busy || this.#closed) return;
    const now = this.#clock.now();
    const index = this.#queue.findIndex((e) => e.dueAt <= now);
    if (index < 0) {
      this.#armWake();
      return;
    }
    const [entry] = this.#queue.splice(index, 1) as [Entry];
    this.#busy = true;
    entry.attempts++;
    this.#deliver(entry).finally(() => {
      this.#busy = false;
      this.#settle();
      this.#pump();
    });
  }

  async #deliver(entry: Entry): Promise<void> {
    const { mail } = entry;
    try {
      await this.#transport.sendMail({
        ...this.#compose,
        from: { name: mail.from.name, address: mail.from.address },
        // Address objects and an explicit envelope: nodemailer never re-parses these strings,
        // so a stray comma or colon cannot turn into an extra recipient.
        to: mail.to.map((address) => ({ name: '', address })),
        envelope: { from: mail.from.address, to: [...mail.to] },
        subject: mail.subject,
        text: mail.text,
      });
      this.#log.debug({ to: mail.to, subject: mail.subject, attempts: entry.attempts }, 'Mail delivered.');
    } catch (err) {
      this.#failed(entry, err as Error & { responseCode?: number });
    }
  }

  #failed(entry: Entry, err: Error & { responseCode?: number }): void {
    const fields = {
      to: entry.mail.to,
      subject: entry.mail.subject,
      attempts: entry.attempts,
      err: err.message,
    };
    const permanent = err.responseCode !== undefined && err.responseCode >= 500;
    const wait = this.#backoff[entry.attempts - 1];
    if (permanent || wait === undefined || this.#closed) {
      this.#log.error(fields, permanent ? 'Mail rejected; not retrying.' : 'Gave up delivering mail.');
      return;
    }
    this.#log.warn({ ...fields, retryInMs: wait }, 'Mail delivery failed; will retry.');
    entry.dueAt = this.#clock.now() + wait;
    this.#queue.push(entry);
  }

  #armWake(): void {
    this.#cancelWake?.();
    this.#cancelWake = undefined;
    if (this.#queue.length === 0) return;
    const next = Math.min(...this.#queue.map((e) => e.dueAt));
    this.#cancelWake = this.#clock.setTimer(next - this.#clock.now(), () => {
      this.#cancelWake = undefined;
      this.#pump();
    });
  }

  #settle(): void {
    if (this.pending > 0) return;
    const waiting = this.#drained;
    this.#drained = [];
    for (const done of waiting) done();
  }
}
