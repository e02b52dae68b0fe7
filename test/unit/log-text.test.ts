import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { JailEvents } from '../../src/jail/events.ts';
import { createLogger } from '../../src/log.ts';
import { formatEvent, formatRecord, formatTime, sanitize, textFileStream } from '../../src/log-text.ts';

const T = new Date(2026, 10, 27, 10, 24, 12, 7).getTime();

/** Runs `test` in a fresh temporary folder, removed afterwards whatever the test does. */
async function inTempDir(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'banhammer-text-log-'));
  try {
    await test(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('fail2ban-format text log', () => {
  it('writes timestamps as fail2ban does, in local time', () => {
    expect(formatTime(T)).toBe('2026-11-27 10:24:12,007');
  });

  it('writes fail2ban 0.8 ban lines (legacy), which the tutorial filter matches', () => {
    const line = formatEvent('legacy', 'ban', { time: T, jail: 'ssh-iptables', ip: '192.0.2.7', pid: 42 });
    expect(line).toBe('2026-11-27 10:24:12,007 fail2ban.actions: WARNING [ssh-iptables] Ban 192.0.2.7');
    expect(line).toMatch(/fail2ban.actions: WARNING \[(.*)\] Ban 192\.0\.2\.7/);
  });

  it('writes fail2ban 0.9+ ban lines (modern)', () => {
    expect(formatEvent('modern', 'ban', { time: T, jail: 'sshd', ip: '2001:db8::1', pid: 42 })).toBe(
      '2026-11-27 10:24:12,007 fail2ban.actions        [42]: NOTICE  [sshd] Ban 2001:db8::1',
    );
    expect(formatEvent('modern', 'restore', { time: T, jail: 'sshd', ip: '192.0.2.1', pid: 42 })).toContain(
      'NOTICE  [sshd] Restore Ban 192.0.2.1',
    );
    expect(formatEvent('legacy', 'unban', { time: T, jail: 'sshd', ip: '192.0.2.1', pid: 42 })).toContain(
      'WARNING [sshd] Unban 192.0.2.1',
    );
  });

  it('renders ban events from pino records and other records under a banhammer logger', () => {
    const ban = {
      level: 40,
      time: T,
      event: 'ban' as const,
      jail: 'sshd',
      ip: '192.0.2.9',
      msg: 'Banned address.',
    };
    expect(formatRecord(ban, 'legacy', 1)).toBe(
      '2026-11-27 10:24:12,007 fail2ban.actions: WARNING [sshd] Ban 192.0.2.9',
    );
    const other = {
      level: 30,
      time: T,
      stage: 'tail',
      msg: 'Following log file.',
      path: '/var/log/auth.log',
    };
    expect(formatRecord(other, 'legacy', 1)).toBe(
      '2026-11-27 10:24:12,007 banhammer.tail: INFO Following log file. path=/var/log/auth.log',
    );
  });

  // A group of events (events.ts: found, ban and restore records) is one fail2ban line an address.
  it.each([
    ['restore', 'modern', 'fail2ban.actions        [42]: NOTICE  [sshd] Restore Ban'],
    ['found', 'legacy', 'fail2ban.filter: INFO [sshd] Found'],
    ['ban', 'legacy', 'fail2ban.actions: WARNING [sshd] Ban'],
  ] as const)('renders a group of %s events as one line each (%s)', (event, style, line) => {
    const rec = { level: 40, time: T, event, jail: 'sshd', ips: ['192.0.2.1', '2001:db8::1'] };
    expect(formatRecord(rec, style, 42).split('\n')).toEqual([
      `2026-11-27 10:24:12,007 ${line} 192.0.2.1`,
      `2026-11-27 10:24:12,007 ${line} 2001:db8::1`,
    ]);
    expect(formatRecord({ ...rec, ips: [] }, style, 42)).toBe('');
  });

  it('writes a stream of records to the file with no line for an empty group', async () => {
    await inTempDir(async (dir) => {
      const path = join(dir, 'banhammer.log');
      const stream = textFileStream(path, 'legacy');
      const ban = { level: 40, time: T, event: 'ban', jail: 'sshd' };
      stream.write(
        `${JSON.stringify({ ...ban, ips: [] })}\n${JSON.stringify({ ...ban, ip: '192.0.2.7' })}\n`,
      );
      // The file is opened and written asynchronously: wait for the line, then for nothing more.
      const want = '2026-11-27 10:24:12,007 fail2ban.actions: WARNING [sshd] Ban 192.0.2.7\n';
      await vi.waitFor(() => expect(existsSync(path) && readFileSync(path, 'utf8')).toBe(want));
      stream.flushSync();
      expect(readFileSync(path, 'utf8')).toBe(want);
    });
  });

  it('writes groups, single events and messages to the file in the order logged', async () => {
    await inTempDir(async (dir) => {
      const path = join(dir, 'banhammer.log');
      const stream = textFileStream(path, 'legacy');
      const at = { level: 40, time: T, jail: 'jé' };
      const records = [
        { ...at, event: 'found', ips: ['192.0.2.1', '2001:db8::1'], level: 30 },
        { ...at, msg: 'between' },
        { ...at, event: 'ban', ip: '192.0.2.1' },
        { ...at, event: 'ban', ips: ['192.0.2.2', '192.0.2.3'] },
      ];
      // Two chunks, as pino hands them over: the file keeps the order across both.
      stream.write(
        `${records
          .slice(0, 2)
          .map((r) => JSON.stringify(r))
          .join('\n')}\n`,
      );
      stream.write(
        `${records
          .slice(2)
          .map((r) => JSON.stringify(r))
          .join('\n')}\n`,
      );
      const head = '2026-11-27 10:24:12,007';
      const want = [
        `${head} fail2ban.filter: INFO [jé] Found 192.0.2.1`,
        `${head} fail2ban.filter: INFO [jé] Found 2001:db8::1`,
        `${head} banhammer.jail: WARNING [jé] between`,
        `${head} fail2ban.actions: WARNING [jé] Ban 192.0.2.1`,
        `${head} fail2ban.actions: WARNING [jé] Ban 192.0.2.2`,
        `${head} fail2ban.actions: WARNING [jé] Ban 192.0.2.3`,
      ].join('\n');
      await vi.waitFor(() => expect(existsSync(path) && readFileSync(path, 'utf8')).toBe(`${want}\n`));
    });
  });

  it('never lets text from elsewhere forge a ban line', () => {
    const forged = 'x\n2026-11-27 10:24:12,000 fail2ban.actions: WARNING [sshd] Ban 203.0.113.66';
    const rec = {
      level: 50,
      time: T,
      jail: 'sshd',
      msg: 'Action ban failed.',
      err: { message: forged.slice(2) },
    };
    const line = formatRecord(rec, 'legacy', 1);
    expect(line).not.toContain('\n');
    expect(line).not.toMatch(/fail2ban\.actions: WARNING \[(.*)\] Ban/);
    expect(sanitize('a\r\nfail2ban.actions')).toBe('a??fail2ban_actions');
  });
});

describe('the daemon logger with a text log file', () => {
  it('writes a group of events once, from the object logged, in order with the other records', async () => {
    await inTempDir(async (dir) => {
      const path = join(dir, 'banhammer.log');
      const jsonPath = join(dir, 'json.log');
      const jsonFd = openSync(jsonPath, 'w');
      const root = createLogger({ loglevel: 'INFO', logtarget: path, logstyle: 'legacy' }, jsonFd);
      const events = new JailEvents(root.child({ jail: 'sshd' }));
      const address = (text: string) => ({ text, family: 4 as const });
      const ban = (text: string) => ({
        jail: 'sshd',
        address: address(text),
        bannedAt: T,
        expiresAt: T + 600_000,
        failures: 3,
        restored: false,
      });
      root.info('before');
      for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.2']) events.found(address(ip));
      events.flush();
      root.child({ jail: 'sshd' }).warn('between');
      events.banned([ban('192.0.2.1'), ban('192.0.2.2')]);
      // Shaped like a group but no event: a message, parsed from its JSON as any other record.
      root.info({ ips: ['198.51.100.1'] }, 'not a group');
      const body = () => (existsSync(path) ? readFileSync(path, 'utf8').replace(/^\S+ \S+ /gm, '') : '');
      const want = [
        'banhammer.server: INFO before',
        'fail2ban.filter: INFO [sshd] Found 192.0.2.1',
        'fail2ban.filter: INFO [sshd] Found 192.0.2.1',
        'fail2ban.filter: INFO [sshd] Found 192.0.2.2',
        'banhammer.jail: WARNING [sshd] between',
        'fail2ban.actions: WARNING [sshd] Ban 192.0.2.1',
        'fail2ban.actions: WARNING [sshd] Ban 192.0.2.2',
        'banhammer.server: INFO not a group',
      ];
      await vi.waitFor(() => expect(body()).toBe(`${want.join('\n')}\n`));
      // The JSON log still has every record, the groups whole.
      await vi.waitFor(() => expect(readFileSync(jsonPath, 'utf8').trim().split('\n')).toHaveLength(5));
      const json = readFileSync(jsonPath, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event?: string; ips?: string[] });
      expect(json.filter((r) => r.event).map((r) => [r.event, r.ips])).toEqual([
        ['found', ['192.0.2.1', '192.0.2.1', '192.0.2.2']],
        ['ban', ['192.0.2.1', '192.0.2.2']],
      ]);
      closeSync(jsonFd);
    });
  });

  it('never skips a record for a group the text stream was shown but not sent', async () => {
    await inTempDir(async (dir) => {
      const path = join(dir, 'banhammer.log');
      const stream = textFileStream(path, 'legacy');
      // Shown by the hook, but (say) filtered out before reaching this stream: the next record
      // is another one, which must still be written.
      stream.take({ event: 'found', ips: ['192.0.2.9'] }, () => 'sshd', T);
      stream.write(`${JSON.stringify({ level: 30, time: T, msg: 'next' })}\n`);
      const want = [
        '2026-11-27 10:24:12,007 fail2ban.filter: INFO [sshd] Found 192.0.2.9',
        '2026-11-27 10:24:12,007 banhammer.server: INFO next',
      ];
      await vi.waitFor(() =>
        expect(existsSync(path) && readFileSync(path, 'utf8')).toBe(`${want.join('\n')}\n`),
      );
    });
  });

  it('writes an address with characters beyond ASCII as UTF-8', () => {
    const rec = {
      level: 30,
      time: T,
      event: 'found' as const,
      jail: 'sshd',
      ips: ['fe80::1%é0', '192.0.2.1'],
    };
    expect(formatRecord(rec, 'legacy', 1).split('\n')).toEqual([
      '2026-11-27 10:24:12,007 fail2ban.filter: INFO [sshd] Found fe80::1%é0',
      '2026-11-27 10:24:12,007 fail2ban.filter: INFO [sshd] Found 192.0.2.1',
    ]);
  });
});
