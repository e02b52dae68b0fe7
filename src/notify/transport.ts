// Which nodemailer transport `[Mail]` selects, and its options. The sendmail transport spawns
// the program directly (no shell) with the envelope as argv; SMTP maps `secure` onto nodemailer's
// three switches so `none` never upgrades and `starttls` never falls back to plain text.

import { accessSync, constants, statSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type SendmailTransport from 'nodemailer/lib/sendmail-transport/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { MailSettings } from '../config/types.ts';

export type TransportKind = 'sendmail' | 'smtp';

/** True when `path` is a regular file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `auto` prefers the local MTA, as fail2ban's sendmail actions do, and falls back to SMTP. */
export function chooseTransport(
  settings: MailSettings,
  executable: (path: string) => boolean = isExecutable,
): TransportKind {
  if (settings.transport !== 'auto') return settings.transport;
  return executable(settings.sendmail) ? 'sendmail' : 'smtp';
}

export function sendmailOptions(settings: MailSettings): SendmailTransport.Options {
  return { sendmail: true, path: settings.sendmail };
}

export function smtpOptions(settings: MailSettings, tls?: ConnectionOptions): SMTPTransport.Options {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure === 'tls',
    ignoreTLS: settings.secure === 'none',
    requireTLS: settings.secure === 'starttls',
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password } } : {}),
    ...(tls ? { tls } : {}),
    // nodemailer waits up to 10 min on a silent socket by default; a stuck server would hold
    // the whole queue, so fail sooner and let the back-off retry.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  };
}
