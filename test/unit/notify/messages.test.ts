import { describe, expect, it } from 'vitest';
import {
  type BanFacts,
  cleanBody,
  composeBan,
  composeStart,
  composeStop,
  formatDuration,
  isMailKind,
  MAIL_KINDS,
  type MailKind,
  oneLine,
} from '../../../src/notify/messages.ts';

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5);

const facts: BanFacts = {
  name: 'WEBMIN',
  host: 'gw.example.org',
  address: '192.0.2.7',
  failures: 5,
  time: T0,
  bantimeMs: 600_000,
  banCount: 2,
  whois: 'netname: EXAMPLE-NET',
  lines: { items: ['line one 192.0.2.7', 'line two 192.0.2.7'], limit: 1000 },
};

describe('composeBan', () => {
  it.each(MAIL_KINDS)('%s names the jail, address, failures and ban time', (kind) => {
    const { subject, text } = composeBan(kind, facts);
    expect(subject).toBe('[banhammer] WEBMIN on gw.example.org: banned 192.0.2.7');
    expect(text).toContain('The jail WEBMIN on gw.example.org banned 192.0.2.7.');
    expect(text).toMatch(/^Failures: +5$/m);
    expect(text).toMatch(/^Banned at: +2024-01-02T03:04:05Z$/m);
    expect(text).toMatch(/^Ban time: +10 min \(until 2024-01-02T03:14:05Z\)$/m);
    expect(text).toMatch(/^Earlier bans: +2$/m);
    expect(text.endsWith('-- \nbanhammer\n')).toBe(true);
  });

  const whoisKinds: MailKind[] = MAIL_KINDS.filter((k) => k !== 'sendmail' && k !== 'mail');
  it.each(whoisKinds)('%s carries the whois report', (kind) => {
    expect(composeBan(kind, facts).text).toContain('Whois report for 192.0.2.7:\n\nnetname: EXAMPLE-NET\n');
  });

  it.each(['sendmail', 'mail'] as const)('%s carries neither whois nor lines', (kind) => {
    const { text } = composeBan(kind, facts);
    expect(text).not.toContain('netname');
    expect(text).not.toContain('line one');
  });

  it.each([
    ['sendmail-whois-lines', 'Log lines that matched 192.0.2.7 (2, at most the last 1000):'],
    ['mail-whois-lines', 'Log lines that matched 192.0.2.7 (2, at most the last 1000):'],
    ['sendmail-whois-matches', 'Log lines behind this ban (2):'],
    ['sendmail-whois-ipmatches', 'Every stored failure of 192.0.2.7, in any jail (2):'],
    ['sendmail-whois-ipjailmatches', 'Every stored failure of 192.0.2.7 in WEBMIN (2):'],
  ] as const)('%s lists the lines under its heading', (kind, heading) => {
    expect(composeBan(kind, facts).text).toContain(`${heading}\n\nline one 192.0.2.7\nline two 192.0.2.7\n`);
  });

  it.each(['sendmail-whois', 'mail-whois'] as const)('%s lists no lines', (kind) => {
    expect(composeBan(kind, facts).text).not.toContain('line one');
  });

  it('says so when there are no lines or no whois text', () => {
    const { text } = composeBan('sendmail-whois-matches', {
      ...facts,
      whois: undefined,
      lines: { items: [], limit: 5 },
    });
    expect(text).toContain('Whois report for 192.0.2.7:\n\n(none)\n');
    expect(text).toContain('Log lines behind this ban (0):\n\n(none)\n');
  });

  it('a mail* kind reads exactly as its sendmail* twin', () => {
    expect(composeBan('mail', facts)).toEqual(composeBan('sendmail', facts));
    expect(composeBan('mail-whois', facts)).toEqual(composeBan('sendmail-whois', facts));
    expect(composeBan('mail-whois-lines', facts)).toEqual(composeBan('sendmail-whois-lines', facts));
  });

  it('a permanent ban has no end time', () => {
    expect(composeBan('sendmail', { ...facts, bantimeMs: null }).text).toMatch(/^Ban time: +forever$/m);
  });

  it('keeps hostile text literal in the body and out of the subject', () => {
    const hostile = '$(touch /tmp/pwned) `id`; rm -rf /\n~! touch /tmp/pwned';
    const { subject, text } = composeBan('sendmail-whois-lines', {
      ...facts,
      name: 'WEB\r\nBcc: evil@example.com',
      whois: hostile,
      lines: { items: [hostile], limit: 10 },
    });
    expect(subject).toBe('[banhammer] WEB Bcc: evil@example.com on gw.example.org: banned 192.0.2.7');
    expect(subject).not.toMatch(/[\r\n]/);
    expect(text.split(hostile).length).toBe(3);
    expect(text).toMatch(/^~! touch \/tmp\/pwned$/m);
  });
});

describe('start and stop', () => {
  it('name the jail and host', () => {
    expect(composeStart('sshd', 'gw')).toEqual({
      subject: '[banhammer] sshd on gw: jail started',
      text: expect.stringContaining('The jail sshd is now running on gw'),
    });
    expect(composeStop('sshd', 'gw').subject).toBe('[banhammer] sshd on gw: jail stopped');
    expect(composeStop('sshd', 'gw').text).toContain('The jail sshd on gw has stopped');
  });
});

describe('helpers', () => {
  it('formatDuration', () => {
    expect(formatDuration(null)).toBe('forever');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(600_000)).toBe('10 min');
    expect(formatDuration(5_400_000)).toBe('1 h 30 min');
    expect(formatDuration(7 * 86_400_000 + 3_600_000 + 60_000)).toBe('7 d 1 h');
  });

  it('oneLine and cleanBody', () => {
    expect(oneLine(' a\r\nb\tc\u0000d ')).toBe('a b c d');
    expect(cleanBody('a\r\nb\rc\td\u001b[31me\u0000')).toBe('a\nb\nc\td\ufffd[31me\ufffd');
  });

  it('isMailKind', () => {
    expect(MAIL_KINDS.every(isMailKind)).toBe(true);
    expect(isMailKind('iptables')).toBe(false);
    expect(isMailKind('toString')).toBe(false);
  });
});
