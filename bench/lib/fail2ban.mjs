// Debian's fail2ban as the bench runs it: never the system service; `fail2ban-server -f` in the
// foreground inside a namespace, on a copy of /etc/fail2ban (stock filter.d/sshd.conf and
// action.d/nftables-multiport.conf) without jail.d/, with socket, pidfile, dbfile and logtarget
// in its own temp dir and a jail.local with the bench's jails. Backend pyinotify (Debian's
// package recommends python3-pyinotify; without it fail2ban polls the file once a second).

import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIn, stopGroup, tempDir } from './sandbox.mjs';
import { sleep } from './stats.mjs';

export const fail2ban = {
  name: 'fail2ban',
  set: (jail) => ({ family: 'inet', table: 'f2b-table', set: `addr-set-${jail}` }),
  start: startFail2ban,
  seedBans,
};

/**
 * A fail2ban database holding an active one-hour ban of each address in `jail`: fail2ban itself
 * creates the file and the jail's row (one start and stop), then the bans go into `bips` (what
 * it restores from) and `bans` (its history), as a previous run would have left them.
 */
async function seedBans(ns, jail, addresses) {
  const dir = tempDir('seed');
  const logpath = join(dir, 'empty.log');
  writeFileSync(logpath, '');
  const daemon = await startFail2ban(ns, { jails: [{ name: jail, logpath }], dir });
  await daemon.ready();
  await daemon.stop();
  // Imported here: run.mjs loads this module before it has made sure node_modules exists.
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(daemon.dbfile);
  const at = Math.floor(Date.now() / 1000) - 60;
  const data = JSON.stringify({ failures: 3 });
  const bips = db.prepare(
    'INSERT INTO bips (ip, jail, timeofban, bantime, bancount, data) VALUES (?, ?, ?, 3600, 1, ?)',
  );
  const bans = db.prepare(
    'INSERT INTO bans (jail, ip, timeofban, bantime, bancount, data) VALUES (?, ?, ?, 3600, 1, ?)',
  );
  db.transaction(() => {
    for (const a of addresses) {
      bips.run(a, jail, at, data);
      bans.run(jail, a, at, data);
    }
  })();
  db.close();
  return daemon.dbfile;
}

export async function startFail2ban(ns, { jails, db, dir: given }) {
  const dir = given ?? tempDir('fail2ban');
  const conf = join(dir, 'conf');
  if (!existsSync(conf)) {
    cpSync('/etc/fail2ban', conf, { recursive: true });
    rmSync(join(conf, 'jail.d'), { recursive: true, force: true });
  }
  const paths = {
    socket: join(dir, 'fail2ban.sock'),
    pidfile: join(dir, 'fail2ban.pid'),
    dbfile: join(dir, 'fail2ban.sqlite3'),
    logtarget: join(dir, 'fail2ban.log'),
  };
  writeFileSync(
    join(conf, 'fail2ban.local'),
    `[Definition]\n${Object.entries(paths)
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n')}\n`,
  );
  const sections = jails.map(
    (j) => `[${j.name}]
enabled = true
filter = sshd
port = ssh
backend = pyinotify
logpath = ${j.logpath}
maxretry = ${j.maxretry ?? 3}
findtime = ${j.findtime ?? '1h'}
bantime = ${j.bantime ?? '1h'}
`,
  );
  writeFileSync(
    join(conf, 'jail.local'),
    `[DEFAULT]\nbanaction = nftables-multiport\nbanaction_allports = nftables-allports\n\n${sections.join('\n')}`,
  );
  if (db) cpSync(db, paths.dbfile);
  const output = join(dir, 'stderr.log');
  const argv = ['fail2ban-server', '-f', '-x', '-c', conf, '-s', paths.socket, '-p', paths.pidfile];
  const child = startIn(ns, argv, { logFile: output });
  const log = () => (existsSync(paths.logtarget) ? readFileSync(paths.logtarget, 'utf8') : '');
  return {
    child,
    pid: child.pid,
    dir,
    dbfile: paths.dbfile,
    output: () => `${readFileSync(output, 'utf8')}${log()}`,
    /** Resolves once fail2ban logged every jail as started. */
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = log();
        if (jails.every((j) => text.includes(`Jail '${j.name}' started`))) return;
        if (child.exitCode !== null) throw new Error(`fail2ban-server exited:\n${text}`);
        if (Date.now() > deadline) throw new Error(`fail2ban-server not ready:\n${text}`);
        await sleep(20);
      }
    },
    stop: () => stopGroup(child, 'SIGTERM', 60_000),
  };
}
