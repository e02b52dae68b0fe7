import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionEvent } from '../../../src/ban/ports.ts';
import { parseAddress } from '../../../src/core/address.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { createMailAction, MAIL_ACTIONS, type MailActionDeps } from '../../../src/notify/mail-action.ts';
import { Mailer, type OutgoingMail } from '../../../src/notify/mailer.ts';
import { MAIL_KINDS } from '../../../src/notify/messages.ts';
import { createWhois } from '../../../src/notify/whois.ts';
import { captureLog, parseMessage, type SmtpFixture, smtpSettings, startSmtp } from '../../support/smtp.ts';

let dir: string;
let pwned: string;
let hostile: string;
let smtp: SmtpFixture;
let mailer: Mailer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-mail-'));
  pwned = join(dir, 'pwned');
  // Every way fail2ban's shell and mail(1) pipes could be made to run a command.
  hostile = `$(touch ${pwned}) \`touch ${pwned}\`; touch ${pwned}\n~! touch ${pwned}`;
  smtp = await startSmtp();
  mailer = new Mailer({ settings: smtpSettings(smtp.port), clock: systemClock, log: captureLog().log });
});
afterEach(async () => {
  await mailer.close();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

// With `gate`, the fake whois waits until that file exists, so a test can hold it mid-lookup.
function fakeWhois(gate?: string): string {
  const path = join(dir, 'whois');
  const wait = gate ? `while [ ! -e '${gate}' ]; do sleep 0.02; done\n` : '';
  writeFileSync(path, `#!/bin/sh\n${wait}echo "netname: EXAMPLE for $1"\ncat <<'EOF'\n${hostile}\nEOF\n`);
  chmodSync(path, 0o755);
  return path;
}

function event(overrides: Partial<ActionEvent> = {}): ActionEvent {
  return {
    jail: 'webmin-auth',
    address: parseAddress('192.0.2.7')!,
    failures: 3,
    time: Date.UTC(2024, 0, 2, 3, 4, 5),
    bantimeMs: 3_600_000,
    banCount: 0,
    matches: [],
    fields: {},
    ipMatches: () => [],
    ipJailMatches: () => [],
    restored: false,
    ...overrides,
  };
}

function deps(over: Partial<MailActionDeps> = {}): MailActionDeps {
  return {
    jail: 'webmin-auth',
    mailer,
    whois: createWhois({ program: fakeWhois(), timeoutMs: 2_000 }),
    log: captureLog().log,
    hostname: 'gw.example.org',
    ...over,
  };
}

const args = {
  name: 'WEBMIN',
  dest: 'admin@example.org',
  sender: 'bh@gw.example.org',
  sendername: 'Ban Hammer',
};

async function delivered(action: { idle(): Promise<void> }) {
  await action.idle();
  expect(await mailer.flush(5_000)).toBe(true);
  return smtp.received.map((r) => ({ ...r, ...parseMessage(r.raw) }));
}

const header = (m: { headers: Array<[string, string]> }, name: string) =>
  m.headers.find(([k]) => k === name)?.[1];

describe('MailAction to a real SMTP server', () => {
  it('sendmail-whois: ban() returns before whois, the mail carries the report literally', async () => {
    const gate = join(dir, 'whois-may-answer');
    const whois = createWhois({ program: fakeWhois(gate), timeoutMs: 10_000 });
    const action = createMailAction('sendmail-whois', args, deps({ whois }))!;
    await action.ban(event()); // resolves while whois is still held at the gate
    writeFileSync(gate, '');
    const [mail] = await delivered(action);
    expect(mail?.from).toBe('bh@gw.example.org');
    expect(mail?.to).toEqual(['admin@example.org']);
    expect(header(mail!, 'from')).toBe('Ban Hammer <bh@gw.example.org>');
    expect(header(mail!, 'subject')).toBe('[banhammer] WEBMIN on gw.example.org: banned 192.0.2.7');
    expect(mail?.body).toContain('The jail WEBMIN on gw.example.org banned 192.0.2.7.');
    expect(mail?.body).toMatch(/^Failures: +3$/m);
    expect(mail?.body).toContain(
      `Whois report for 192.0.2.7:\n\nnetname: EXAMPLE for 192.0.2.7\n${hostile}\n`,
    );
    expect(existsSync(pwned)).toBe(false);
  });

  it('sendmail-whois-lines: the newest grepmax matches, hostile ones literal', async () => {
    const matches = [
      'old line',
      `sshd: Invalid user ${hostile.split('\n')[0]} from 192.0.2.7`,
      hostile.split('\n')[1]!,
    ];
    const action = createMailAction(
      'sendmail-whois-lines',
      { ...args, grepmax: '2', logpath: '/x' },
      deps(),
    )!;
    await action.ban(event({ matches }));
    const [mail] = await delivered(action);
    expect(mail?.body).toContain(
      `Log lines that matched 192.0.2.7 (2, at most the last 2):\n\n${matches[1]}\n${matches[2]}\n`,
    );
    expect(mail?.body).not.toContain('old line');
    expect(mail?.body).toMatch(/^~! touch /m);
    expect(existsSync(pwned)).toBe(false);
  });

  it('restored bans and unbans send nothing', async () => {
    const action = createMailAction('sendmail-whois-lines', args, deps())!;
    expect(action.norestored).toBe(true);
    await action.ban(event({ restored: true }));
    await action.unban(event());
    expect(await delivered(action)).toEqual([]);
  });

  it('start and stop mails; a ban still composing goes out before the stop mail', async () => {
    const gate = join(dir, 'whois-may-answer');
    const whois = createWhois({ program: fakeWhois(gate), timeoutMs: 10_000 });
    const action = createMailAction('mail-whois', args, deps({ whois }))!;
    await action.start();
    await action.ban(event());
    const stopping = action.stop(); // asked while the ban mail still waits for whois
    writeFileSync(gate, '');
    await stopping;
    const subjects = (await delivered(action)).map((m) => header(m, 'subject'));
    expect(subjects).toEqual([
      '[banhammer] WEBMIN on gw.example.org: jail started',
      '[banhammer] WEBMIN on gw.example.org: banned 192.0.2.7',
      '[banhammer] WEBMIN on gw.example.org: jail stopped',
    ]);
  });

  it('CR/LF in the jail name or sender name adds no header and no recipient', async () => {
    const evil = { ...args, name: 'WEB\r\nBcc: evil@example.com', sendername: 'x\r\nCc: evil@example.com' };
    const action = createMailAction('sendmail', evil, deps())!;
    await action.ban(event());
    const [mail] = await delivered(action);
    expect(mail?.to).toEqual(['admin@example.org']);
    expect(mail?.headers.map(([k]) => k)).not.toContain('bcc');
    expect(mail?.headers.map(([k]) => k)).not.toContain('cc');
    expect(mail?.raw).not.toMatch(/^(bcc|cc):/im);
    expect(header(mail!, 'subject')).toBe(
      '[banhammer] WEB Bcc: evil@example.com on gw.example.org: banned 192.0.2.7',
    );
  });
});

describe('arguments and kinds', () => {
  const sent: OutgoingMail[] = [];
  const sink = { send: (m: OutgoingMail) => void sent.push(m) };
  beforeEach(() => {
    sent.length = 0;
  });

  it('defaults: dest root, sender and sender name banhammer, name the jail', async () => {
    const action = createMailAction('sendmail', { unknown: 'ignored' }, deps({ mailer: sink }))!;
    await action.start();
    expect(sent[0]).toMatchObject({ from: { name: 'banhammer', address: 'banhammer' }, to: ['root'] });
    expect(sent[0]?.subject).toBe('[banhammer] webmin-auth on gw.example.org: jail started');
  });

  it('dest may list several addresses', async () => {
    const action = createMailAction(
      'mail',
      { dest: 'a@example.org, b@example.org' },
      deps({ mailer: sink }),
    )!;
    await action.start();
    expect(sent[0]?.to).toEqual(['a@example.org', 'b@example.org']);
  });

  it.each([
    ['dest', 'admin@example.org\r\nBcc: evil@example.com'],
    ['dest', 'a@example.org: evil@example.com'],
    ['dest', '-oQ/tmp@example.org'],
    ['sender', 'a@example.org b@example.org'],
    ['grepmax', 'many'],
  ])('rejects %s = %j', (option, value) => {
    expect(() => createMailAction('sendmail', { [option]: value }, deps({ mailer: sink }))).toThrow(
      ConfigError,
    );
  });

  it('ipmatches and ipjailmatches read the stored lines; a failing read still mails', async () => {
    const e = event({ ipMatches: () => ['any jail'], ipJailMatches: () => ['this jail'] });
    const ip = createMailAction('sendmail-whois-ipmatches', args, deps({ mailer: sink }))!;
    const jail = createMailAction('sendmail-whois-ipjailmatches', args, deps({ mailer: sink }))!;
    const broken = createMailAction(
      'sendmail-whois-ipmatches',
      args,
      deps({ mailer: sink, whois: () => Promise.reject(new Error('boom')) }),
    )!;
    await ip.ban(e);
    await ip.idle();
    await jail.ban(e);
    await jail.idle();
    await broken.ban(
      event({
        ipMatches: () => {
          throw new Error('db gone');
        },
      }),
    );
    await broken.idle();
    expect(sent[0]?.text).toContain('in any jail (1):\n\nany jail\n');
    expect(sent[1]?.text).toContain('in WEBMIN (1):\n\nthis jail\n');
    expect(sent[2]?.text).toContain('whois report unavailable: boom');
    expect(sent[2]?.text).toContain('(0):\n\n(none)\n');
  });

  it('ban() never rejects because of mail', async () => {
    const { log, records } = captureLog();
    const throwing = {
      send: () => {
        throw new Error('queue exploded');
      },
    };
    const action = createMailAction('sendmail', args, deps({ mailer: throwing, log }))!;
    await expect(action.ban(event())).resolves.toBeUndefined();
    await action.idle();
    expect(records.at(-1)).toMatchObject({ level: 50, err: 'queue exploded' });
  });

  it('knows exactly the mail kinds', () => {
    expect([...MAIL_ACTIONS].sort()).toEqual([...MAIL_KINDS].sort());
    expect(createMailAction('iptables-multiport', {}, deps({ mailer: sink }))).toBeUndefined();
  });
});
