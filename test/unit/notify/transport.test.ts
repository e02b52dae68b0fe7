import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import { Mailer } from '../../../src/notify/mailer.ts';
import { chooseTransport, isExecutable, smtpOptions } from '../../../src/notify/transport.ts';
import { captureLog, parseMessage, smtpSettings } from '../../support/smtp.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-mta-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in sendmail that records its argv and standard input. */
function fakeSendmail(): string {
  const path = join(dir, 'sendmail');
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/args'\ncat > '${dir}/message'\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('chooseTransport', () => {
  it('auto prefers an executable sendmail and falls back to SMTP', () => {
    const path = fakeSendmail();
    expect(chooseTransport(smtpSettings(25, { transport: 'auto', sendmail: path }))).toBe('sendmail');
    expect(chooseTransport(smtpSettings(25, { transport: 'auto', sendmail: join(dir, 'none') }))).toBe(
      'smtp',
    );
    chmodSync(path, 0o644);
    expect(isExecutable(path)).toBe(false);
    expect(chooseTransport(smtpSettings(25, { transport: 'auto', sendmail: path }))).toBe('smtp');
    expect(isExecutable(dir)).toBe(false);
  });

  it('an explicit choice stands', () => {
    expect(chooseTransport(smtpSettings(25, { transport: 'sendmail' }))).toBe('sendmail');
    expect(chooseTransport(smtpSettings(25, { transport: 'smtp', sendmail: fakeSendmail() }))).toBe('smtp');
  });
});

describe('smtpOptions', () => {
  it.each([
    ['none', { secure: false, ignoreTLS: true, requireTLS: false }],
    ['starttls', { secure: false, ignoreTLS: false, requireTLS: true }],
    ['tls', { secure: true, ignoreTLS: false, requireTLS: false }],
  ] as const)('secure = %s', (secure, expected) => {
    expect(smtpOptions(smtpSettings(587, { secure }))).toMatchObject({
      host: '127.0.0.1',
      port: 587,
      ...expected,
    });
  });

  it('authenticates only with a user', () => {
    expect(smtpOptions(smtpSettings(25)).auth).toBeUndefined();
    expect(smtpOptions(smtpSettings(25, { user: 'u', password: 'p' })).auth).toEqual({
      user: 'u',
      pass: 'p',
    });
  });
});

describe('Mailer through sendmail', () => {
  it('hands the message to the program, envelope as arguments, no shell', async () => {
    const path = fakeSendmail();
    const mailer = new Mailer({
      settings: smtpSettings(1, { transport: 'auto', sendmail: path }),
      clock: systemClock,
      log: captureLog().log,
    });
    const pwned = join(dir, 'pwned');
    const text = `$(touch ${pwned})\n\`touch ${pwned}\`; touch ${pwned}\n~! touch ${pwned}\n`;
    mailer.send({
      from: { name: 'banhammer', address: 'banhammer' },
      to: ['root', 'ops@example.org'],
      subject: 'Test',
      text,
    });
    expect(await mailer.flush(5_000)).toBe(true);
    await mailer.close();
    expect(readFileSync(join(dir, 'args'), 'utf8')).toBe('-i\n-f\nbanhammer\nroot\nops@example.org\n');
    const raw = readFileSync(join(dir, 'message'), 'utf8');
    expect(raw).not.toContain('\r');
    const { headers, body } = parseMessage(raw);
    expect(headers).toContainEqual(['to', 'root, ops@example.org']);
    expect(body).toBe(text);
    expect(existsSync(pwned)).toBe(false);
  });
});
