import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import { Mailer, type MailerOptions, type OutgoingMail } from '../../../src/notify/mailer.ts';
import { FakeClock } from '../../support/fakes.ts';
import {
  captureLog,
  parseMessage,
  type SmtpFixture,
  type SmtpFixtureOptions,
  selfSignedCert,
  smtpSettings,
  startSmtp,
  waitFor,
} from '../../support/smtp.ts';

const mail = (subject = 'Hello', text = 'Body text.\n'): OutgoingMail => ({
  from: { name: 'banhammer', address: 'banhammer@gw.example.org' },
  to: ['admin@example.org'],
  subject,
  text,
});

let smtp: SmtpFixture | undefined;
let mailer: Mailer | undefined;
afterEach(async () => {
  await mailer?.close();
  await smtp?.close();
  mailer = undefined;
  smtp = undefined;
});

async function setup(fixture: SmtpFixtureOptions = {}, options: Partial<MailerOptions> = {}) {
  smtp = await startSmtp(fixture);
  const { log, records } = captureLog();
  mailer = new Mailer({ settings: smtpSettings(smtp.port), clock: systemClock, log, ...options });
  return { smtp, mailer, records };
}

const messages = (records: Array<Record<string, unknown>>) => records.map((r) => r.msg);

describe('Mailer over SMTP', () => {
  it('queues at once and delivers in the background, in plain text when secure = none', async () => {
    const { smtp, mailer } = await setup();
    mailer.send(mail('First', 'Line one.\nLine two.\n'));
    // Nothing has happened yet: send only enqueued.
    expect(mailer.pending).toBe(1);
    expect(smtp.received).toHaveLength(0);
    expect(await mailer.flush(5_000)).toBe(true);
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0]!;
    expect(got.from).toBe('banhammer@gw.example.org');
    expect(got.to).toEqual(['admin@example.org']);
    // The fixture offers STARTTLS; `none` must not take it.
    expect(got.secure).toBe(false);
    const { headers, body } = parseMessage(got.raw);
    expect(headers).toContainEqual(['from', 'banhammer <banhammer@gw.example.org>']);
    expect(headers).toContainEqual(['to', 'admin@example.org']);
    expect(headers).toContainEqual(['subject', 'First']);
    expect(body).toBe('Line one.\nLine two.\n');
  });

  it('authenticates when a user is configured', async () => {
    smtp = await startSmtp();
    const settings = smtpSettings(smtp.port, { user: 'relay', password: 's3cret' });
    mailer = new Mailer({ settings, clock: systemClock, log: captureLog().log });
    mailer.send(mail());
    await mailer.flush(5_000);
    expect(smtp.received[0]?.user).toBe('relay');
  });

  it('retries after a temporary refusal', async () => {
    const { smtp, mailer, records } = await setup(
      { refuse: (n) => (n === 1 ? 451 : undefined) },
      { backoffMs: [50] },
    );
    mailer.send(mail());
    expect(await mailer.flush(5_000)).toBe(true);
    expect(smtp.attempts()).toBe(2);
    expect(smtp.received).toHaveLength(1);
    expect(messages(records)).toContain('Mail delivery failed; will retry.');
  });

  it('waits out the back-off on the injected clock', async () => {
    smtp = await startSmtp({ refuse: (n) => (n === 1 ? 451 : undefined) });
    const clock = new FakeClock();
    mailer = new Mailer({ settings: smtpSettings(smtp.port), clock, log: captureLog().log });
    mailer.send(mail());
    await waitFor(() => smtp!.attempts() === 1 && clock.pending === 1);
    clock.advance(4_999);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.attempts()).toBe(1);
    clock.advance(1);
    await waitFor(() => smtp!.received.length === 1);
  });

  it('gives up after the last retry with an error log', async () => {
    const { smtp, mailer, records } = await setup({ refuse: () => 451 }, { backoffMs: [20, 20] });
    mailer.send(mail());
    expect(await mailer.flush(5_000)).toBe(true);
    expect(smtp.attempts()).toBe(3);
    expect(smtp.received).toHaveLength(0);
    const last = records.at(-1)!;
    expect(last).toMatchObject({ level: 50, msg: 'Gave up delivering mail.', attempts: 3 });
  });

  it('does not retry a permanent rejection', async () => {
    const { smtp, mailer, records } = await setup({ refuse: () => 550 }, { backoffMs: [20, 20] });
    mailer.send(mail());
    await mailer.flush(5_000);
    expect(smtp.attempts()).toBe(1);
    expect(messages(records)).toContain('Mail rejected; not retrying.');
  });

  it('drops the oldest mail past the bound', async () => {
    const { smtp, mailer, records } = await setup({}, { maxQueue: 2 });
    mailer.send(mail('one'));
    mailer.send(mail('two'));
    mailer.send(mail('three'));
    await mailer.flush(5_000);
    const subjects = smtp.received.map(
      (r) => parseMessage(r.raw).headers.find(([k]) => k === 'subject')?.[1],
    );
    expect(subjects).toEqual(['two', 'three']);
    expect(messages(records)).toContain('Mail queue full; dropped the oldest mail.');
  });

  it('adds no header for CR/LF in a subject or sender name', async () => {
    const { smtp, mailer } = await setup();
    mailer.send({
      ...mail('Hi\r\nBcc: evil@example.com\r\nX-Injected: 1'),
      from: { name: 'bh\r\nCc: evil@example.com', address: 'banhammer@gw.example.org' },
    });
    await mailer.flush(5_000);
    const got = smtp.received[0]!;
    expect(got.to).toEqual(['admin@example.org']);
    const names = parseMessage(got.raw).headers.map(([k]) => k);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('cc');
    expect(names).not.toContain('x-injected');
    expect(got.raw).not.toMatch(/^(bcc|cc|x-injected):/im);
  });

  it('flush reports a queue that did not drain in time; close drops it', async () => {
    const { mailer, records } = await setup({ refuse: () => 451 }, { backoffMs: [60_000] });
    mailer.send(mail());
    expect(await mailer.flush(300)).toBe(false);
    await mailer.close();
    expect(mailer.pending).toBe(0);
    mailer.send(mail());
    expect(messages(records)).toContain('Mailer closed with mail queued.');
    expect(messages(records)).toContain('Mailer closed; mail dropped.');
  });
});

const cert = selfSignedCert();
// openssl makes the certificate; CI has it, so there the TLS tests must run, not skip.
if (!cert && process.env.CI === 'true') throw new Error('openssl is needed for the TLS mail tests');

describe.skipIf(!cert)('Mailer over TLS (self-signed certificate from openssl)', () => {
  it.each([
    ['tls', true],
    ['starttls', false],
  ] as const)('secure = %s encrypts the session', async (secure, implicit) => {
    smtp = await startSmtp({ tls: { ...cert!, implicit } });
    mailer = new Mailer({
      settings: smtpSettings(smtp.port, { secure }),
      clock: systemClock,
      log: captureLog().log,
      tls: { ca: cert!.cert },
    });
    mailer.send(mail());
    expect(await mailer.flush(5_000)).toBe(true);
    expect(smtp.received[0]?.secure).toBe(true);
  });

  it('secure = tls does not trust an unknown certificate', async () => {
    smtp = await startSmtp({ tls: { ...cert!, implicit: true } });
    const { log, records } = captureLog();
    mailer = new Mailer({
      settings: smtpSettings(smtp.port, { secure: 'tls' }),
      clock: systemClock,
      log,
      backoffMs: [],
    });
    mailer.send(mail());
    await mailer.flush(5_000);
    expect(smtp.received).toHaveLength(0);
    expect(messages(records)).toContain('Gave up delivering mail.');
  });
});
