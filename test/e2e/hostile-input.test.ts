// Hostile and odd log input against a running banhammerd (in a namespace of its own): a 10 MB
// line without a newline, binary noise, invalid UTF-8, CRLF endings, NUL bytes, a file truncated
// to zero, replaced by a symlink or by a directory, a flood faster than matching, and lines
// crafted to carry a second address. After each one the daemon still answers `banctl status`,
// the other jail still bans, and the attacked jail bans only real sources.

import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daemonLocal, makeConfigDir } from '../support/config-dir.ts';
import { banctl, eventually, type RunningDaemon, startDaemon } from '../support/daemon.ts';
import { failedPassword, syslogNow } from '../support/syslog.ts';
import { assertNoLeftovers, requireRoot, withNetns } from './netns.ts';

const ok = requireRoot();

afterAll(async () => {
  if (ok) await assertNoLeftovers();
});

const failed = (address: string, user = 'root', end = '\n') => failedPassword(address, { user, end });

function bannedIn(status: string): string[] {
  const m = /Banned IP list:\s*(.*)$/m.exec(status);
  return m?.[1]?.trim() ? m[1].trim().split(/\s+/) : [];
}

function rssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

describe.skipIf(!ok)('banhammerd under hostile log input', () => {
  it('survives every kind, keeps the other jail working, bans only real sources', async () => {
    await withNetns(async (ns) => {
      const state = mkdtempSync(join(tmpdir(), 'banhammer-hostile-'));
      const attacked = join(state, 'attacked.log');
      const other = join(state, 'other.log');
      const socket = join(state, 'banhammer.sock');
      writeFileSync(attacked, '');
      writeFileSync(other, '');
      const cfg = makeConfigDir({
        'jail.local':
          `[ssh-iptables]\nenabled = true\nlogpath = ${attacked}\nmaxretry = 2\n\n` +
          `[ssh-other]\nenabled = true\nfilter = sshd\nport = 22\nlogpath = ${other}\nmaxretry = 2\n`,
        'banhammer.local': daemonLocal(state),
      });
      let daemon: RunningDaemon | undefined;
      try {
        daemon = await startDaemon({ configDir: cfg.dir, socket, netns: ns.server });
        const pid = daemon.process.pid!;
        const status = async (jail: string) => {
          const r = await banctl(socket, ['status', jail]);
          expect(r.code, r.stderr).toBe(0);
          return r.stdout;
        };
        let n = 0;
        /** After each hostile input: still serving, and the other jail bans a fresh address. */
        const stillWorks = async (what: string) => {
          expect((await banctl(socket, ['status'])).code, `${what}: banctl status`).toBe(0);
          const fresh = `198.51.100.${++n}`;
          appendFileSync(other, failed(fresh) + failed(fresh));
          await eventually(
            async () => bannedIn(await status('ssh-other')).includes(fresh),
            20_000,
            `${what}: other jail bans`,
          );
        };
        // Generous: CI machines are shared, and reaching a ban is the point here, not its speed.
        const bansIn = async (address: string, what: string, ms = 20_000) =>
          eventually(async () => bannedIn(await status('ssh-iptables')).includes(address), ms, what);

        // A 10 MB line with no newline, then a newline and real failures: the giant is dropped.
        appendFileSync(attacked, Buffer.alloc(10 * 1024 * 1024, 'A'));
        appendFileSync(attacked, `\n${failed('192.0.2.10')}${failed('192.0.2.10')}`);
        await bansIn('192.0.2.10', 'ban after the 10 MB line');
        await stillWorks('10 MB line');

        appendFileSync(attacked, randomBytes(1024 * 1024));
        appendFileSync(attacked, `\n${failed('192.0.2.11')}${failed('192.0.2.11')}`);
        await bansIn('192.0.2.11', 'ban after binary noise');
        await stillWorks('binary noise');

        // Invalid UTF-8 in the user name, and NUL bytes: the lines are read, not fatal.
        const bad = Buffer.concat([
          Buffer.from(failed('192.0.2.12', 'x')).subarray(0, 40),
          Buffer.from([0xff, 0xfe, 0, 0xc3]),
        ]);
        appendFileSync(attacked, Buffer.concat([bad, Buffer.from('\n')]));
        appendFileSync(attacked, failed('192.0.2.12', 'r\u0000oot') + failed('192.0.2.12', '\udcff'));
        await stillWorks('invalid UTF-8 and NUL');

        // CRLF endings still match.
        appendFileSync(attacked, failed('192.0.2.13', 'root', '\r\n') + failed('192.0.2.13', 'root', '\r\n'));
        await bansIn('192.0.2.13', 'ban from CRLF lines');
        await stillWorks('CRLF');

        // Truncated to zero (copytruncate, `> file`): read again from the top.
        truncateSync(attacked, 0);
        appendFileSync(attacked, failed('192.0.2.14') + failed('192.0.2.14'));
        await bansIn('192.0.2.14', 'ban after truncation');
        await stillWorks('truncation');

        // Replaced by a symlink to another file: the target is followed.
        const target = join(state, 'target.log');
        writeFileSync(target, '');
        renameSync(attacked, join(state, 'attacked.log.1'));
        symlinkSync(target, attacked);
        await new Promise((r) => setTimeout(r, 300));
        appendFileSync(target, failed('192.0.2.15') + failed('192.0.2.15'));
        await bansIn('192.0.2.15', 'ban through the symlink');
        await stillWorks('symlink');

        // Replaced by a directory, then by a file again.
        rmSync(attacked);
        mkdirSync(attacked);
        await new Promise((r) => setTimeout(r, 300));
        await stillWorks('directory');
        rmSync(attacked, { recursive: true });
        writeFileSync(attacked, failed('192.0.2.16') + failed('192.0.2.16'));
        await bansIn('192.0.2.16', 'ban after the directory became a file again');

        // Lines crafted to carry a second address ban only the real source.
        const crafted = [
          `${syslogNow()} srv sshd[78]: Failed password for invalid user 192.0.2.66 from 203.0.113.9 port 22 ssh2\n`,
          `${syslogNow()} srv sshd[78]: Failed password for root from 192.0.2.67 port 22 ssh2 from 203.0.113.9 port 22 ssh2\n`,
          `${syslogNow()} srv sshd[78]: Invalid user from 192.0.2.68 from 203.0.113.9 port 22\n`,
        ];
        appendFileSync(attacked, crafted.join('') + crafted.join(''));
        await bansIn('203.0.113.9', 'ban of the real source');
        const list = bannedIn(await status('ssh-iptables'));
        for (const bystander of ['192.0.2.66', '192.0.2.67', '192.0.2.68'])
          expect(list).not.toContain(bystander);
        await stillWorks('injection');

        // A flood: 100,000 lines in one write, faster than any matcher; the daemon keeps answering.
        const flood =
          `${syslogNow()} srv CRON[1]: pam_unix(cron:session): session opened for user root\n`.repeat(
            100_000,
          );
        appendFileSync(attacked, flood + failed('192.0.2.17') + failed('192.0.2.17'));
        expect((await banctl(socket, ['status'])).code).toBe(0);
        await bansIn('192.0.2.17', 'ban after the flood', 120_000);
        await stillWorks('flood');

        // Nothing above made memory grow without bound (a 10 MB line, 8 MB of flood).
        expect(rssMiB(pid)).toBeLessThan(300);
        expect(readFileSync(join(state, 'banhammer.log'), 'utf8')).toMatch(/Dropped over-long log lines/);
        expect(await daemon.stop()).toBe(0);
        daemon = undefined;
      } finally {
        await daemon?.stop();
        cfg.remove();
        rmSync(state, { recursive: true, force: true });
      }
    });
  }, 300_000);
});
