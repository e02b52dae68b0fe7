// Test helpers for notify/: a real SMTP server on 127.0.0.1 (smtp-server) that records each raw
// message with its envelope and can refuse attempts, a parser for what it received, a pino
// logger whose records a test can read, and a throwaway self-signed certificate (openssl CLI).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { MailSettings } from '../../src/config/types.ts';

export interface Received {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  readonly secure: boolean;
  readonly user: string | undefined;
}

export interface SmtpFixture {
  readonly port: number;
  readonly received: Received[];
  /** DATA commands seen, accepted or refused. */
  readonly attempts: () => number;
  close(): Promise<void>;
}

export interface SmtpFixtureOptions {
  /** Refuses attempt `n` (1-based) with this SMTP code, or accepts when it returns undefined. */
  readonly refuse?: (n: number) => number | undefined;
  readonly tls?: { readonly key: string; readonly cert: string; readonly implicit: boolean };
}

export async function startSmtp(options: SmtpFixtureOptions = {}): Promise<SmtpFixture> {
  const received: Received[] = [];
  let attempts = 0;
  const serverOptions: SMTPServerOptions = {
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    // Reverse DNS of 127.0.0.1 costs ~150 ms per connection and tells these tests nothing.
    disableReverseLookup: true,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert, secure: options.tls.implicit } : {}),
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        attempts++;
        const code = options.refuse?.(attempts);
        if (code !== undefined) {
          callback(Object.assign(new Error(`refused attempt ${attempts}`), { responseCode: code }));
          return;
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  // A client that rejects the certificate hangs up mid-handshake; that is the test's point.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    attempts: () => attempts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `[Mail]` for the fixture server: plain SMTP on 127.0.0.1 unless overridden. */
export function smtpSettings(port: number, overrides: Partial<MailSettings> = {}): MailSettings {
  return {
    transport: 'smtp',
    sendmail: '/nonexistent/sendmail',
    host: '127.0.0.1',
    port,
    secure: 'none',
    user: '',
    password: '',
    whois: '/nonexistent/whois',
    whoisTimeoutMs: 1_000,
    ...overrides,
  };
}

/** A raw message split into unfolded headers and its decoded text body. */
export function parseMessage(message: string): { headers: Array<[string, string]>; body: string } {
  // SMTP carries CRLF, a local sendmail gets LF; read both the same way.
  const raw = message.replace(/\r?\n/g, '\r\n');
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = head.split('\r\n').map((l): [string, string] => {
    const colon = l.indexOf(':');
    return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()];
  });
  let body = raw.slice(split + 4);
  const encoding = headers.find(([k]) => k === 'content-transfer-encoding')?.[1].toLowerCase();
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    body = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

/** A logger whose JSON records land in `records`. */
export function captureLog(): { log: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void records.push(JSON.parse(s)) });
  return { log, records };
}

/** A self-signed certificate for 127.0.0.1, or undefined when no openssl program is available. */
export function selfSignedCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'banhammer-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it holds or `ms` passes. */
export async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
