// banctl regex's fixed --json contract: one {"line","ip","time"} per failing line (line numbers
// from 1 over the log), then {"summary"}; year-less dates read against --now / BANCTL_NOW.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRegex } from '../../../src/cli/regex.ts';
import { REPO, tutorialFile } from '../../support/config-dir.ts';
import { requireNativeRegex } from '../filter/native-addon.ts';

const dir = mkdtempSync(join(tmpdir(), 'banhammer-regex-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(log: string, filter: string, ignore?: string, now = Date.UTC(2026, 10, 27, 12)) {
  const out: string[] = [];
  const code = await runRegex(log, filter, ignore, { json: true, confDir: REPO, now }, (t) => out.push(t));
  return { code, objects: out.map((l) => JSON.parse(l)) };
}

describe('banctl regex --json', () => {
  it("runs the tutorial's own filter file over banhammerd's ban lines", async () => {
    const filter = join(dir, 'fail2ban.conf');
    writeFileSync(filter, tutorialFile('filter.d-fail2ban.conf'));
    const log = join(dir, 'fail2ban.log');
    writeFileSync(
      log,
      [
        '2026-11-27 10:24:12,123 fail2ban.actions: WARNING [ssh-iptables] Ban 192.0.2.7',
        '2026-11-27 10:24:13,000 fail2ban.actions: WARNING [fail2ban] Ban 192.0.2.7',
        '2026-11-27 10:24:14,000 banhammer.tail: INFO Following log file.',
        '2026-11-27 10:24:15,500 fail2ban.actions: WARNING [webmin-iptables] Ban 2001:db8::9',
        '',
      ].join('\n'),
    );
    const { code, objects } = await run(log, filter);
    expect(code).toBe(0);
    const local = (s: string) => new Date(s).getTime() / 1000;
    expect(objects.slice(0, -1)).toEqual([
      { line: 1, ip: '192.0.2.7', time: local('2026-11-27T10:24:12.123') },
      { line: 4, ip: '2001:db8::9', time: local('2026-11-27T10:24:15.500') },
    ]);
    expect(objects.at(-1).summary).toMatchObject({ lines: 4, matched: 2, ignored: 1, missed: 1 });
  });

  it('takes a filter name with options, and a single line as LOG', async () => {
    const line = 'Nov 27 10:24:12 web1 sshd[4242]: Failed password for root from 192.0.2.7 port 50022 ssh2';
    const { objects } = await run(line, 'sshd[mode=normal]');
    expect(objects[0]).toEqual({
      line: 1,
      ip: '192.0.2.7',
      time: new Date(2026, 10, 27, 10, 24, 12).getTime() / 1000,
    });
  });

  it('takes a bare regex and an ignoreregex', async () => {
    const log = join(dir, 'plain.log');
    writeFileSync(log, 'bad login from 192.0.2.1\nbad login from 192.0.2.2 (trusted)\nhello\n');
    const { objects } = await run(log, 'bad login from <HOST>', '\\(trusted\\)');
    expect(objects).toEqual([
      { line: 1, ip: '192.0.2.1', time: null },
      expect.objectContaining({ summary: expect.objectContaining({ matched: 1, ignored: 1, missed: 1 }) }),
    ]);
  });

  it('reads year-less dates against BANCTL_NOW (the built banctl)', () => {
    const line = 'Dec 31 23:59:59 h sshd[1]: Failed password for root from 192.0.2.7 port 22 ssh2';
    const jan1 = String(Date.UTC(2027, 0, 1, 0, 30) / 1000);
    const out = execFileSync(
      process.execPath,
      [join(REPO, 'bin', 'banctl.js'), 'regex', '--json', '-c', REPO, line, 'sshd'],
      {
        env: { ...process.env, BANCTL_NOW: jan1, TZ: 'UTC' },
      },
    ).toString();
    const first = JSON.parse(out.split('\n')[0]!);
    // Read on 1 January, "Dec 31" is last year's.
    expect(first).toEqual({ line: 1, ip: '192.0.2.7', time: Date.UTC(2026, 11, 31, 23, 59, 59) / 1000 });
  });
});

describe('banctl regex summary', () => {
  it.skipIf(!requireNativeRegex())(
    'names the regex engine it ran on: the native RE2 addon when built',
    async () => {
      const out: string[] = [];
      const line = 'Nov 27 10:24:12 web1 sshd[4242]: Failed password for root from 192.0.2.7 port 50022 ssh2';
      await runRegex(
        line,
        'sshd',
        undefined,
        { json: false, confDir: REPO, now: Date.UTC(2026, 10, 27, 12) },
        (t) => out.push(t),
      );
      expect(out.join('\n')).toMatch(/^Regex engine: native RE2 \(libre2 \S+\)$/m);
    },
  );
});
