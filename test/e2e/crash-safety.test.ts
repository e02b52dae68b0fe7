// Crash safety of a running banhammerd, in a namespace of its own: SIGKILL in the middle of a
// storm of 10,000 bans leaves a state file that opens cleanly and holds every ban the kernel
// holds, and a restart puts every one of them back with no more time than it had; failures
// counted before a SIGKILL count again, once; SIGTERM leaves nothing but the state file. Also
// the dating rules across a restart: an old backlog bans nobody, live lines dated hours off do.

import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { KernelElement } from '../../src/ban/ports.ts';
import { setElements } from '../../src/firewall/nft-json.ts';
import { type ConfigDir, makeConfigDir } from '../support/config-dir.ts';
import { banctl, eventually, type RunningDaemon, startDaemon } from '../support/daemon.ts';
import { assertNoLeftovers, type Netns, requireRoot, withNetns } from './netns.ts';

const ok = requireRoot();
const JAIL = 'ssh-iptables';
const STORM = 10_000;

function syslogDate(t: number): string {
  const d = new Date(t);
  const month = d.toLocaleString('en-US', { month: 'short' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const failed = (address: string, port: number, at = Date.now()) =>
  `${syslogDate(at)} srv sshd[77]: Failed password for root from ${address} port ${port} ssh2\n`;

/** The n-th address of the storm, in 198.18.0.0/15 (benchmarking; only ever written to a log). */
const stormAddress = (n: number) => `198.18.${n >> 8}.${n & 255}`;

interface Scene {
  readonly ns: Netns;
  /** socket, pidfile and database only, so what SIGTERM leaves can be listed. */
  readonly state: string;
  readonly dbfile: string;
  readonly socket: string;
  readonly authLog: string;
  readonly daemonLog: string;
  start(): Promise<RunningDaemon>;
  kernel(): Promise<KernelElement[]>;
  tables(): Promise<string>;
  status(): Promise<string>;
}

let dirs: string[] = [];
let cfg: ConfigDir | undefined;
let daemon: RunningDaemon | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  cfg?.remove();
  cfg = undefined;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
afterAll(async () => {
  if (ok) await assertNoLeftovers();
});

function scene(ns: Netns, jail: string): Scene {
  const state = mkdtempSync(join(tmpdir(), 'banhammer-crash-state-'));
  const logs = mkdtempSync(join(tmpdir(), 'banhammer-crash-logs-'));
  dirs.push(state, logs);
  const s = {
    ns,
    state,
    dbfile: join(state, 'state.sqlite3'),
    socket: join(state, 'banhammer.sock'),
    authLog: join(logs, 'auth.log'),
    daemonLog: join(logs, 'banhammer.log'),
  };
  writeFileSync(s.authLog, '');
  cfg = makeConfigDir({
    'jail.local': `[${JAIL}]\nenabled = true\nlogpath = ${s.authLog}\n${jail}`,
    'banhammer.local': `[Definition]\nlogtarget = ${s.daemonLog}\ndbfile = ${s.dbfile}\npidfile = ${join(state, 'banhammer.pid')}\n`,
  });
  const dir = cfg.dir;
  return {
    ...s,
    start: async () => {
      daemon = await startDaemon({ configDir: dir, socket: s.socket, netns: ns.server });
      return daemon;
    },
    kernel: async () => {
      const out = await ns.exec(ns.server, ['nft', '-j', 'list', 'set', 'inet', 'banhammer', `${JAIL}-v4`]);
      return setElements(JSON.parse(out.stdout));
    },
    tables: async () => (await ns.exec(ns.server, ['nft', 'list', 'tables'])).stdout,
    status: async () => {
      const r = await banctl(s.socket, ['status', JAIL]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    },
  };
}

/** SIGKILL, and the exit. */
async function kill9(d: RunningDaemon): Promise<void> {
  const exited = new Promise<void>((resolve) => d.process.once('exit', () => resolve()));
  d.process.kill('SIGKILL');
  await exited;
  daemon = undefined;
}

/** Active bans of the jail on file at `now`, by address, with their end; checks integrity. */
function activeOnFile(dbfile: string, now: number): Map<string, number | null> {
  const db = new Database(dbfile);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db
      .prepare<[string, number], { address: string; expires_at: number | null }>(
        `SELECT address, expires_at FROM bans WHERE jail = ? AND lifted_at IS NULL
         AND (expires_at IS NULL OR expires_at > ?)`,
      )
      .all(JAIL, now);
    return new Map(rows.map((r) => [r.address, r.expires_at]));
  } finally {
    db.close();
  }
}

const field = (status: string, name: string) => Number(new RegExp(`${name}:\\s*(\\d+)`).exec(status)?.[1]);

describe.skipIf(!ok)('banhammerd killed and restarted', () => {
  it('SIGKILL mid-storm of 10,000 bans: kernel ⊆ state file, and a restart puts every ban back', async () => {
    await withNetns(async (ns) => {
      const s = scene(ns, 'maxretry = 2\nfindtime = 10m\nbantime = 1h\n');
      await s.start();
      // Every address crosses maxretry in one burst: 20,000 lines in one append.
      const lines: string[] = [];
      for (let n = 0; n < STORM; n++)
        lines.push(failed(stormAddress(n), 1000), failed(stormAddress(n), 1001));
      // Kill once the state file holds a random-ish share of the bans: the kernel lags behind it.
      const threshold = 1000 + Math.floor(Math.random() * 4000);
      const reader = new Database(s.dbfile, { readonly: true, timeout: 5000 });
      const count = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM bans');
      appendFileSync(s.authLog, lines.join(''));
      try {
        await eventually(() => count.get()!.n >= threshold, 20_000, `${threshold} bans on file`);
      } finally {
        reader.close();
      }
      await kill9(daemon!);

      // After SIGKILL the table stays: what the kernel holds, against what the file holds.
      const killedAt = Date.now();
      const kernel = await s.kernel();
      const onFile = activeOnFile(s.dbfile, killedAt);
      expect(kernel.length).toBeGreaterThan(0);
      expect(kernel.length).toBeLessThan(STORM); // taken mid-storm
      const missing = kernel.filter((e) => !onFile.has(e.address.text)).map((e) => e.address.text);
      expect(missing).toEqual([]);

      await s.start();
      const after = new Map((await s.kernel()).map((e) => [e.address.text, e.expiresInMs]));
      for (const e of kernel) {
        expect(after.has(e.address.text), e.address.text).toBe(true);
        // The kernel's `expires` is whole seconds: at most one second of rounding.
        expect(after.get(e.address.text)!).toBeLessThanOrEqual(e.expiresInMs! + 1000);
      }
      // The rest of the storm, read again from the saved position, bans everyone, once each.
      await eventually(async () => (await s.kernel()).length === STORM, 60_000, 'all 10,000 banned');
      expect(activeOnFile(s.dbfile, Date.now()).size).toBe(STORM);
    });
  });

  it('counts failures written before a SIGKILL again, once; SIGTERM leaves only the state file', async () => {
    await withNetns(async (ns) => {
      const s = scene(ns, 'maxretry = 3\nfindtime = 10m\nbantime = 1h\n');
      const A = '192.0.2.21';
      const B = '192.0.2.22';
      await s.start();
      // maxretry - 1 failures, more than a second old (the flush interval) when killed.
      appendFileSync(s.authLog, failed(A, 1) + failed(A, 2));
      await eventually(async () => field(await s.status(), 'Total failed') === 2, 10_000, 'A counted');
      await new Promise((r) => setTimeout(r, 2000));
      await kill9(daemon!);
      await s.start();
      expect(await s.status()).toMatch(/Currently failed:\s*1/);
      appendFileSync(s.authLog, failed(A, 3));
      await eventually(async () => (await s.kernel()).some((e) => e.address.text === A), 10_000, 'A banned');

      // Killed right after counting, before the position is saved: the lines are read again and
      // count once — twice would ban B at the restart.
      appendFileSync(s.authLog, failed(B, 1) + failed(B, 2));
      await eventually(async () => field(await s.status(), 'Total failed') === 5, 10_000, 'B counted');
      await kill9(daemon!);
      await s.start();
      await eventually(async () => field(await s.status(), 'Total failed') === 2, 10_000, 'B read again');
      await new Promise((r) => setTimeout(r, 300));
      expect(field(await s.status(), 'Total failed')).toBe(2);
      expect((await s.kernel()).map((e) => e.address.text)).toEqual([A]);
      appendFileSync(s.authLog, failed(B, 3));
      await eventually(async () => (await s.kernel()).some((e) => e.address.text === B), 10_000, 'B banned');

      expect(await daemon!.stop()).toBe(0);
      daemon = undefined;
      expect(readdirSync(s.state)).toEqual(['state.sqlite3']);
      expect(await s.tables()).not.toContain('banhammer');
      expect(activeOnFile(s.dbfile, Date.now()).size).toBe(2);
    });
  });

  it('a backlog keeps its own dates (an old burst bans nobody); live lines hours off count as now', async () => {
    await withNetns(async (ns) => {
      const s = scene(ns, 'maxretry = 3\nfindtime = 10m\nbantime = 1h\n');
      const OLD = '192.0.2.31';
      const LATE = '192.0.2.32';
      const AHEAD = '192.0.2.33';
      const d = await s.start();
      expect(await d.stop()).toBe(0);
      daemon = undefined;
      // Logged while stopped, two hours ago: read at the next start, older than findtime.
      const twoHoursAgo = Date.now() - 2 * 3_600_000;
      for (let i = 0; i < 3; i++) appendFileSync(s.authLog, failed(OLD, i, twoHoursAgo + i * 1000));
      const live = await s.start();
      // The JSON log on stderr names the line; the text log keeps log text out on purpose.
      await eventually(() => live.output().includes('older than findtime'), 10_000, 'the backlog read');
      // Live, with dates three hours behind and five hours ahead (a time-zone error).
      for (let i = 0; i < 3; i++) {
        appendFileSync(s.authLog, failed(LATE, i, Date.now() - 3 * 3_600_000));
        appendFileSync(s.authLog, failed(AHEAD, i, Date.now() + 5 * 3_600_000));
      }
      await eventually(async () => (await s.kernel()).length === 2, 10_000, 'two bans');
      expect((await s.kernel()).map((e) => e.address.text).sort()).toEqual([LATE, AHEAD]);
      const warnings = live.output().match(/dated far from the clock; counting it as now/g);
      expect(warnings).toHaveLength(1);
      expect(live.output()).toContain(`from ${LATE} port 0`);
    });
  });
});
