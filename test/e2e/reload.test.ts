// Reload on a running banhammerd (in a namespace of its own): `banctl reload` and SIGHUP apply a
// changed jail.local — a changed jail restarts with its ban still in the kernel, a new jail
// starts, a removed one leaves the kernel — and a broken configuration is refused with file,
// line and option while the running jails go on unchanged.

import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daemonLocal, makeConfigDir } from '../support/config-dir.ts';
import { banctl, eventually, type RunningDaemon, startDaemon } from '../support/daemon.ts';
import { failedPassword } from '../support/syslog.ts';
import { assertNoLeftovers, requireRoot, withNetns } from './netns.ts';

const ok = requireRoot();

afterAll(async () => {
  if (ok) await assertNoLeftovers();
});

describe.skipIf(!ok)('banhammerd reload', () => {
  it('applies a changed configuration, refuses a broken one and keeps running', async () => {
    await withNetns(async (ns) => {
      const state = mkdtempSync(join(tmpdir(), 'banhammer-reload-'));
      const secure = join(state, 'secure');
      const other = join(state, 'other');
      const socket = join(state, 'banhammer.sock');
      writeFileSync(secure, '');
      writeFileSync(other, '');
      const sshJail = (maxretry: number) =>
        `[ssh-iptables]\nenabled = true\nlogpath = ${secure}\nmaxretry = ${maxretry}\n`;
      const cfg = makeConfigDir({
        'jail.local': sshJail(2),
        'banhammer.local': daemonLocal(state),
      });
      let daemon: RunningDaemon | undefined;
      const nftSets = async () => (await ns.exec(ns.server, ['nft', 'list', 'sets'])).stdout;
      try {
        daemon = await startDaemon({ configDir: cfg.dir, socket, netns: ns.server });
        appendFileSync(secure, failedPassword('192.0.2.1') + failedPassword('192.0.2.1'));
        await eventually(
          async () => (await banctl(socket, ['status', 'ssh-iptables'])).stdout.includes('192.0.2.1'),
          10_000,
          'first ban',
        );

        // Change [ssh-iptables] and add a jail: one restarts with its ban kept, one starts.
        cfg.write(
          'jail.local',
          `${sshJail(3)}\n[ssh-other]\nenabled = true\nfilter = sshd\nport = 22\nlogpath = ${other}\nmaxretry = 2\n`,
        );
        const reloaded = await banctl(socket, ['reload']);
        expect(reloaded).toMatchObject({ code: 0 });
        expect(reloaded.stdout).toBe(
          `OK\n|- Started:${' '.repeat(13)}ssh-other\n\`- Restarted:${' '.repeat(11)}ssh-iptables\n`,
        );
        expect((await banctl(socket, ['status'])).stdout).toMatch(/Jail list:\s+ssh-iptables, ssh-other$/m);
        expect((await banctl(socket, ['status', 'ssh-iptables'])).stdout).toMatch(
          /Banned IP list:\s+192\.0\.2\.1$/m,
        );
        expect(await nftSets()).toContain('elements = { 192.0.2.1');
        // The restarted jail counts with maxretry 3 now; the new one bans on its own log.
        appendFileSync(secure, failedPassword('192.0.2.2') + failedPassword('192.0.2.2'));
        appendFileSync(other, failedPassword('192.0.2.3') + failedPassword('192.0.2.3'));
        await eventually(
          async () => (await banctl(socket, ['status', 'ssh-other'])).stdout.includes('192.0.2.3'),
          10_000,
          'the new jail bans',
        );
        expect((await banctl(socket, ['status', 'ssh-iptables'])).stdout).not.toContain('192.0.2.2');

        // A broken configuration is refused, naming file, line and option; nothing changes.
        cfg.write('jail.local', `${sshJail(3)}bantime = soon\n`);
        const refused = await banctl(socket, ['reload']);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`${cfg.dir}/jail.local:5: bantime:`);
        expect((await banctl(socket, ['status'])).stdout).toMatch(/Jail list:\s+ssh-iptables, ssh-other$/m);
        // SIGHUP with the broken file: refused too, the daemon stays up.
        daemon.process.kill('SIGHUP');
        await eventually(
          () => readFileSync(join(state, 'banhammer.log'), 'utf8').includes('Reload refused'),
          5_000,
          'the refusal logged',
        );
        expect((await banctl(socket, ['ping'])).code).toBe(0);

        // SIGHUP with [ssh-other] gone: it stops and leaves the kernel.
        cfg.write('jail.local', sshJail(3));
        daemon.process.kill('SIGHUP');
        await eventually(
          async () => (await banctl(socket, ['status'])).stdout.endsWith(' ssh-iptables\n'),
          10_000,
          'ssh-other removed',
        );
        await eventually(async () => !(await nftSets()).includes('ssh-other'), 5_000, 'ssh-other sets gone');
        expect(await daemon.stop()).toBe(0);
        daemon = undefined;
      } finally {
        await daemon?.stop();
        cfg.remove();
        rmSync(state, { recursive: true, force: true });
      }
    });
  }, 120_000);
});
