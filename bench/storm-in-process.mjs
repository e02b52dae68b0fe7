// The ban storm without the kernel: K addresses × 3 sshd failures through the real filter, jail,
// state file (its writer thread included) and logger (JSON and the fail2ban-format text log), in
// this process; the firewall answers every batch at once. For finding where the daemon's thread
// spends a storm: the full figure (bench/figures/ban-throughput.mjs) adds the kernel and a second
// process, and its noise. Prints, per storm, the wall time from the first chunk read to the last
// ban handed to the firewall, the CPU of every thread and that of the event loop's thread alone.
// Needs a built dist/ (npm run build); no root.
//
//   node --semi-space-growth-factor=4 --initial-old-space-size=96 bench/storm-in-process.mjs [STORMS] [K]
//   (the daemon's node flags, from bin/banhammerd.js's first line)
//   BANHAMMER_DIST=/elsewhere/dist ...   (another build of the same tree, to compare two)

import { copyFileSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jailLocal, REPO } from './lib/banhammer.mjs';
import { failures, ipv4 } from './lib/lines.mjs';
import { median } from './lib/stats.mjs';

const [storms = 5, k = 100_000] = process.argv.slice(2).map(Number);
const DIST = process.env.BANHAMMER_DIST ?? join(REPO, 'dist');
const { loadFilter } = await import(`${DIST}/config/filter-file.js`);
const { compileFilter } = await import(`${DIST}/filter/compile.js`);
const { Jail } = await import(`${DIST}/jail/jail.js`);
const { SqliteStore } = await import(`${DIST}/store/sqlite-store.js`);
const { createLogger } = await import(`${DIST}/log.js`);
const { systemClock } = await import(`${DIST}/core/clock.js`);
const { readRun } = await import(`${DIST}/tail/read-filters.js`);
const { loadConfig } = await import(`${DIST}/config/load.js`);

/** What the reader pool reads at once (tail/file-reader.ts). */
const CHUNK = 256 * 1024;
const loaded = loadFilter(REPO, 'sshd', {});
const { filter } = compileFilter(loaded.filter, {});
// One logger for every storm (each adds exit handlers to the process): JSON to a file, as the
// bench's daemons' standard error goes, and the fail2ban-format text log beside it.
const logDir = mkdtempSync(join(tmpdir(), 'banhammer-storm-logs-'));
const log = createLogger(
  { loglevel: 'INFO', logtarget: join(logDir, 'banhammer.log'), logstyle: 'modern' },
  openSync(join(logDir, 'stderr.log'), 'w'),
);
/**
 * The sshd jail as the bench's daemons are configured (bench/lib/banhammer.mjs): the shipped
 * jail.conf's defaults (ignoreip, ignoreself, ...) under the bench's jail.local, loaded by the
 * daemon's own loader from a config folder made in `dir`.
 */
function jailConfig(dir) {
  for (const f of ['jail.conf', 'banhammer.conf']) copyFileSync(join(REPO, f), join(dir, f));
  cpSync(join(REPO, 'filter.d'), join(dir, 'filter.d'), { recursive: true });
  writeFileSync(join(dir, 'jail.local'), jailLocal([{ name: 'sshd', logpath: join(dir, 'auth.log') }]));
  const loaded = loadConfig(dir);
  if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config.jails[0];
}

/** The event loop's thread's CPU time so far, in ms (Linux: its schedstat). */
const threadCpuMs = () =>
  Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

async function storm(round) {
  const dir = mkdtempSync(join(tmpdir(), 'banhammer-storm-'));
  // Addresses of a /8 no earlier storm used, so every ban is fresh.
  const addresses = Array.from({ length: k }, (_, i) => ipv4(10 + round, i + 1));
  const last = addresses.at(-1);
  let lastBanned;
  const done = new Promise((resolve) => (lastBanned = resolve));
  const firewall = {
    addJail: async () => {},
    removeJail: async () => {},
    ban: async () => {},
    unban: async () => {},
    list: async () => [],
    banMany: (orders) => {
      if (orders.some((o) => o.address.text === last)) lastBanned();
      return Promise.resolve([]);
    },
  };
  let onLine;
  const source = {
    follow: async (_paths, listener) => {
      onLine = listener;
      return { files: () => [], close: async () => {} };
    },
  };
  const store = new SqliteStore(join(dir, 'banhammer.sqlite3'));
  const config = jailConfig(dir);
  const jail = new Jail({
    config,
    filter,
    clock: systemClock,
    store,
    firewall,
    source,
    log: log.child({ jail: 'sshd' }),
    ownAddresses: [],
  });
  await jail.start();
  jail.beginOperation();
  const buf = Buffer.from(failures(addresses, 3));
  const path = config.logpaths[0];
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuMs();
  const start = performance.now();
  for (let from = 0; from < buf.length; ) {
    let to = Math.min(buf.length, from + CHUNK);
    if (to < buf.length) to = buf.lastIndexOf(0x0a, to - 1) + 1;
    const now = Date.now();
    const run = { buf, from, to, maxLine: 65_536 };
    readRun(
      filter,
      run,
      now,
      (begin, next, match, text) => {
        onLine({ text: text ?? buf.toString('latin1', begin, next - 1), source: path, time: now }, match);
      },
      (err) => {
        throw err;
      },
    );
    from = to;
    // A turn of the event loop between reads, as between the daemon's: commits and logs go out.
    await new Promise((resolve) => setImmediate(resolve));
  }
  // The writer thread's port does not keep the process alive.
  const alive = setInterval(() => {}, 1_000);
  await done;
  clearInterval(alive);
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const thread = threadCpuMs() - thread0;
  await jail.stop();
  store.close();
  // The logs' files stay open for their last asynchronous writes; the folder can go meanwhile.
  rmSync(dir, { recursive: true, force: true });
  return { wall, cpu: (cpu.user + cpu.system) / 1000, thread };
}

const results = [];
for (let r = 0; r < storms; r++) {
  const res = await storm(r);
  results.push(res);
  console.log(
    `storm ${r + 1}: ${res.wall.toFixed(0)} ms, CPU ${res.cpu.toFixed(0)} ms (event loop's thread ${res.thread.toFixed(0)} ms)`,
  );
}
const m = (key) => median(results.map((r) => r[key])).toFixed(0);
console.log(
  `medians of ${storms}, ${k.toLocaleString('en')} bans: ${m('wall')} ms, CPU ${m('cpu')} ms, event loop's thread ${m('thread')} ms`,
);
