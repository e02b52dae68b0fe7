// The tutorial's SSH jail end to end: banhammerd (built) runs inside the server namespace with
// [ssh-iptables] enabled in jail.local; failures appended to its log for the attacker's address
// get that address dropped by the kernel, others still connect, a restart keeps the ban, and
// the ban lifts when its bantime runs out. Also: the tutorial's three jails and `banctl status`.

import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type ConfigDir,
  daemonLocal,
  makeConfigDir,
  tutorialConfigDir,
  tutorialFile,
} from '../support/config-dir.ts';
import { banctl, eventually, type RunningDaemon, startDaemon } from '../support/daemon.ts';
import { syslogNow } from '../support/syslog.ts';
import { assertNoLeftovers, type Netns, requireRoot, withNetns } from './netns.ts';

const ok = requireRoot();

function failedPassword(address: string, port: number): string {
  return `${syslogNow()} server1 sshd[2121]: Failed password for root from ${address} port ${port} ssh2\n`;
}

let state: string;
let cfg: ConfigDir | undefined;
let daemon: RunningDaemon | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  cfg?.remove();
  cfg = undefined;
  rmSync(state, { recursive: true, force: true });
});
afterAll(async () => {
  if (ok) await assertNoLeftovers();
});

function stateFiles() {
  state = mkdtempSync(join(tmpdir(), 'banhammer-e2e-'));
  const files = {
    secure: join(state, 'secure'),
    fail2ban: join(state, 'fail2ban.log'),
    socket: join(state, 'banhammer.sock'),
  };
  writeFileSync(files.secure, '');
  return files;
}

async function tableCount(ns: Netns): Promise<number> {
  const out = await ns.exec(ns.server, ['nft', 'list', 'tables']);
  return out.stdout.split('\n').filter((l) => l.includes('banhammer')).length;
}

describe.skipIf(!ok)('tutorial [ssh-iptables] end to end', () => {
  it('drops the attacker after maxretry failures, keeps the ban over a restart, lifts it after bantime', async () => {
    await withNetns(async (ns) => {
      const files = stateFiles();
      cfg = makeConfigDir({
        // The tutorial: "change the enabled value to true ... change the logpath value".
        'jail.local': `[ssh-iptables]\nenabled = true\nlogpath = ${files.secure}\nbantime = 6\n`,
        'banhammer.local': daemonLocal(state),
      });
      await ns.tcpServer(ns.server, 22);
      daemon = await startDaemon({ configDir: cfg.dir, socket: files.socket, netns: ns.server });
      const attackerConnects = () =>
        ns.canConnect(ns.attacker, ns.serverV4, 22, { sourceAddress: ns.attackerV4, timeoutMs: 500 });
      const otherConnects = () =>
        ns.canConnect(ns.attacker, ns.serverV4, 22, { sourceAddress: ns.attackerV4Alt, timeoutMs: 500 });
      expect(await attackerConnects()).toBe(true);

      // maxretry is 5 in the shipped [ssh-iptables]; four failures are not enough.
      for (let i = 0; i < 4; i++) appendFileSync(files.secure, failedPassword(ns.attackerV4, 50_000 + i));
      await eventually(
        async () =>
          (await banctl(files.socket, ['status', 'ssh-iptables'])).stdout.includes('Total failed:     4'),
        5000,
        '4 failures counted',
      );
      expect(await attackerConnects()).toBe(true);

      appendFileSync(files.secure, failedPassword(ns.attackerV4, 50_004));
      await eventually(async () => !(await attackerConnects()), 5000, 'attacker dropped');
      expect(await otherConnects()).toBe(true);
      const status = await banctl(files.socket, ['status', 'ssh-iptables']);
      expect(status.stdout).toContain(`   \`- Banned IP list:   ${ns.attackerV4}`);
      expect(status.stdout).toContain(`|  \`- File list:        ${files.secure}`);

      // Restart: the ban comes back from the state file with its remaining time.
      expect(await daemon.stop()).toBe(0);
      expect(await tableCount(ns)).toBe(0);
      daemon = await startDaemon({ configDir: cfg.dir, socket: files.socket, netns: ns.server });
      expect(await attackerConnects()).toBe(false);
      expect(await otherConnects()).toBe(true);
      expect((await banctl(files.socket, ['status', 'ssh-iptables'])).stdout).toContain(
        'Currently banned: 1',
      );

      // bantime = 6 s: the kernel lets the attacker back in once it runs out.
      await eventually(attackerConnects, 10_000, 'attacker allowed again after bantime');
      await eventually(
        async () =>
          (await banctl(files.socket, ['status', 'ssh-iptables'])).stdout.includes('Currently banned: 0'),
        3000,
        'ban retired in status',
      );

      expect(await daemon.stop()).toBe(0);
      daemon = undefined;
      expect(await tableCount(ns)).toBe(0);
    });
  });

  it('answers banctl ban / unban against the kernel, IPv6 included', async () => {
    await withNetns(async (ns) => {
      const files = stateFiles();
      cfg = makeConfigDir({
        'jail.local': `[ssh-iptables]\nenabled = true\nlogpath = ${files.secure}\n`,
        'banhammer.local': daemonLocal(state),
      });
      await ns.tcpServer(ns.server, 22);
      daemon = await startDaemon({ configDir: cfg.dir, socket: files.socket, netns: ns.server });
      const v6 = () =>
        ns.canConnect(ns.attacker, ns.serverV6, 22, { sourceAddress: ns.attackerV6, timeoutMs: 500 });
      expect(await v6()).toBe(true);
      const banned = await banctl(files.socket, ['ban', 'ssh-iptables', ns.attackerV6]);
      expect(banned).toMatchObject({ code: 0, stdout: `${ns.attackerV6} banned in ssh-iptables\n` });
      expect(await v6()).toBe(false);
      expect(
        await ns.canConnect(ns.attacker, ns.serverV6, 22, {
          sourceAddress: ns.attackerV6Alt,
          timeoutMs: 500,
        }),
      ).toBe(true);
      expect((await banctl(files.socket, ['unban', 'ssh-iptables', ns.attackerV6])).code).toBe(0);
      expect(await v6()).toBe(true);
      expect(await banctl(files.socket, ['unban', 'ssh-iptables', ns.attackerV6])).toMatchObject({
        code: 0,
        stdout: `${ns.attackerV6} was not banned in ssh-iptables\n`,
      });
      expect(await banctl(files.socket, ['ban', 'nosuch', '192.0.2.1'])).toMatchObject({ code: 1 });
      expect(await banctl(files.socket, ['ban', 'ssh-iptables', '999.1.1.1'])).toMatchObject({ code: 1 });
    });
  });

  it("loads the tutorial's three jails verbatim and prints its status output", async () => {
    await withNetns(async (ns) => {
      const files = stateFiles();
      cfg = tutorialConfigDir({ secure: files.secure, fail2ban: files.fail2ban });
      cfg.write('banhammer.local', daemonLocal(state));
      daemon = await startDaemon({ configDir: cfg.dir, socket: files.socket, netns: ns.server });
      const out = await banctl(files.socket, ['status']);
      // The tutorial went through HTML, which turned its padding into non-breaking spaces.
      expect(out.stdout).toBe(`${tutorialFile('status.txt').replaceAll('\u00a0', ' ').trimEnd()}\n`);
      const rules = (await ns.exec(ns.server, ['nft', 'list', 'chain', 'inet', 'banhammer', 'input'])).stdout;
      expect(rules).toContain('ip saddr @webmin-iptables-v4 tcp dport 10000 drop');
      expect(rules).toContain('ip saddr @fail2ban-v4 meta l4proto tcp drop');
      expect(rules).toContain('ip saddr @ssh-iptables-v4 tcp dport 22 drop');
    });
  });
});

describe('banhammerd with a broken configuration', () => {
  it('exits 78 and names file, line and option of every error', async () => {
    const files = stateFiles();
    cfg = makeConfigDir({
      'jail.local': '[ssh-iptables]\nenabled = true\nlogpath = /tmp/x\nmaxretry = five\nfindtime = later\n',
      'banhammer.local': daemonLocal(state),
    });
    const err = await startDaemon({ configDir: cfg.dir, socket: files.socket }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const text = (err as Error).message;
    expect(text).toContain('banhammerd exited 78');
    expect(text).toContain(`${cfg.dir}/jail.local:4: maxretry: expected a positive integer, got "five"`);
    expect(text).toContain(`${cfg.dir}/jail.local:5: findtime: expected a duration`);
  });
});
