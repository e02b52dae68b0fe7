// banhammerd as the bench runs it: the built daemon (`node bin/banhammerd.js -c DIR`) inside a
// namespace, on a fresh config dir holding the shipped jail.conf, banhammer.conf and filter.d/,
// a banhammer.local that puts socket, pidfile, dbfile and logtarget in that dir, and a jail.local
// with the bench's jails. Options: `nodeArgs` (e.g. --import), `env`, `db` (a seeded state file
// to start from); $BENCH_CPU_PROF_DIR adds --cpu-prof.

import { copyFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIn, stopGroup, tempDir } from './sandbox.mjs';
import { sleep } from './stats.mjs';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STOCK_FILTERS = '/etc/fail2ban/filter.d';

export const banhammer = {
  name: 'banhammer',
  set: (jail) => ({ family: 'inet', table: 'banhammer', set: `${jail}-v4` }),
  start: startBanhammer,
  seedBans,
};

/** The node flags on the script's `#!/usr/bin/env -S node ...` line: the daemon runs with them. */
function shebangFlags(script) {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)$/.exec(first);
  if (!m) throw new Error(`${script}: expected a "#!/usr/bin/env -S node --flag..." line, got ${first}`);
  return m[1].split(' ').filter(Boolean);
}

/**
 * A state file holding an active one-hour ban of each address in `jail`, written through
 * banhammer's own migrations (dist/store/db.js), as a previous run would have left it.
 */
async function seedBans(_ns, jail, addresses) {
  const { openDb } = await import(join(REPO, 'dist', 'store', 'db.js'));
  const path = join(tempDir('seed'), 'banhammer.sqlite3');
  const db = openDb(path);
  const insert = db.prepare(
    'INSERT INTO bans (jail, address, family, banned_at, expires_at, failures) VALUES (?, ?, 4, ?, ?, 3)',
  );
  const at = Date.now() - 60_000;
  db.transaction(() => {
    for (const a of addresses) insert.run(jail, a, at, at + 3_600_000);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return path;
}

/** jails: [{ name, logpath, filter, maxretry, findtime, bantime, head }] */
export function jailLocal(jails) {
  const sections = jails.map(
    (j) => `[${j.name}]
enabled = true
filter = ${j.filter ?? 'sshd'}
port = ssh
banaction = nftables-multiport
logpath = ${j.logpath}${j.head ? ' head' : ''}
maxretry = ${j.maxretry ?? 3}
findtime = ${j.findtime ?? '1h'}
bantime = ${j.bantime ?? '1h'}
`,
  );
  return sections.join('\n');
}

export async function startBanhammer(ns, { jails, db, nodeArgs = [], env = {} }) {
  const dir = tempDir('banhammer');
  for (const f of ['jail.conf', 'banhammer.conf']) copyFileSync(join(REPO, f), join(dir, f));
  cpSync(join(REPO, 'filter.d'), join(dir, 'filter.d'), { recursive: true });
  // fail2ban's stock filters, when a jail names one banhammer does not ship (its own win).
  if (jails.some((j) => j.filter && !existsSync(join(REPO, 'filter.d', `${j.filter}.conf`))))
    cpSync(STOCK_FILTERS, join(dir, 'filter.d'), { recursive: true, force: false });
  const paths = {
    socket: join(dir, 'banhammer.sock'),
    pidfile: join(dir, 'banhammer.pid'),
    dbfile: join(dir, 'banhammer.sqlite3'),
    logtarget: join(dir, 'banhammer.log'),
  };
  writeFileSync(
    join(dir, 'banhammer.local'),
    `[Definition]\n${Object.entries(paths)
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n')}\n`,
  );
  writeFileSync(join(dir, 'jail.local'), jailLocal(jails));
  if (db) copyFileSync(db, paths.dbfile);
  const output = join(dir, 'stderr.log');
  // run.mjs --profile: every banhammerd writes a CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF_DIR;
  const prof = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  const bin = join(REPO, 'bin', 'banhammerd.js');
  const argv = [process.execPath, ...shebangFlags(bin), ...prof, ...nodeArgs, bin, '-c', dir];
  const child = startIn(ns, argv, { logFile: output, env });
  const daemon = {
    child,
    pid: child.pid,
    dir,
    output: () => readFileSync(output, 'utf8'),
    /** Resolves once the pidfile exists: jails started, sources resumed, socket listening. */
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!existsSync(paths.pidfile)) {
        if (child.exitCode !== null)
          throw new Error(`banhammerd exited ${child.exitCode}:\n${daemon.output()}`);
        if (Date.now() > deadline) throw new Error(`banhammerd not ready:\n${daemon.output()}`);
        await sleep(10);
      }
    },
    /** "native (libnftables ...)" or "nft -f -", as banhammerd logged it. */
    runner() {
      const out = daemon.output();
      const native = /"runner":"native","version":"([^"]+)"/.exec(out);
      if (native) return native[1];
      const fallback = /"reason":"([^"]*)"[^\n]*committing each batch through/.exec(out);
      return fallback ? `nft -f - (native addon unavailable: ${fallback[1]})` : 'unknown';
    },
    stop: () => stopGroup(child, 'SIGTERM'),
  };
  return daemon;
}
