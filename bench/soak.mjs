// Soak: banhammerd in a network namespace made (and deleted) here, for N minutes (argv[2],
// default 3), while a writer appends sshd failure lines at a steady rate, the log is rotated the
// way logrotate does it (rename + create and copytruncate, alternating) and the daemon is
// restarted (SIGTERM and SIGKILL, alternating), each every 20-30 s. Every address gets exactly
// maxretry failures, spread over a few seconds so they straddle restarts and rotations. At the
// end: lines written against lines counted (from the database), bans expected against bans
// applied (kernel ∪ database), and every difference. Needs root and a built dist/ (npm run soak).
//
//   node bench/soak.mjs [MINUTES] [SEED] [LINES_PER_SECOND]

import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MINUTES = Number(process.argv[2] ?? 3);
const SEED = Number(process.argv[3] ?? Date.now() % 1_000_000);
const RATE = Number(process.argv[4] ?? 150);
const MAXRETRY = 3;
/** Addresses failing at once: each one's failures are OPEN / RATE seconds apart. */
const OPEN = 450;
const JAIL = 'ssh-iptables';
const KEEP = 5;

// Seeded, so a run that shows a difference can be repeated.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const between = (lo, hi) => lo + random() * (hi - lo);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- what this script creates, and removes whatever happens -------------------------------
const ns = `bh-soak-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'bh-soak-'));
let child;
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // The namespace takes the daemon's nftables table with it (a SIGKILL leaves the table).
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {}
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

// ---- configuration ----------------------------------------------------------------------------
const authLog = join(work, 'auth.log');
const dbfile = join(work, 'state', 'banhammer.sqlite3');
const socket = join(work, 'state', 'banhammer.sock');
const daemonOut = join(work, 'banhammerd.out');
const conf = join(work, 'conf');
mkdirSync(conf);
cpSync(join(REPO, 'jail.conf'), join(conf, 'jail.conf'));
cpSync(join(REPO, 'banhammer.conf'), join(conf, 'banhammer.conf'));
cpSync(join(REPO, 'filter.d'), join(conf, 'filter.d'), { recursive: true });
writeFileSync(
  join(conf, 'jail.local'),
  `[${JAIL}]\nenabled = true\nlogpath = ${authLog}\nmaxretry = ${MAXRETRY}\nfindtime = 1h\nbantime = 1d\n`,
);
writeFileSync(
  join(conf, 'banhammer.local'),
  `[Definition]\nlogtarget = ${join(work, 'banhammer.log')}\ndbfile = ${dbfile}\npidfile = ${join(work, 'state', 'banhammer.pid')}\n`,
);
writeFileSync(authLog, '');

// ---- the daemon -------------------------------------------------------------------------------
function banctl(args) {
  try {
    return execFileSync(process.execPath, [join(REPO, 'bin', 'banctl.js'), '-s', socket, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

async function startDaemon() {
  const argv = [process.execPath, join(REPO, 'bin', 'banhammerd.js'), '-c', conf, '-s', socket];
  child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (b) => appendFileSync(daemonOut, b));
  const deadline = Date.now() + 30_000;
  while (banctl(['ping']) === undefined) {
    if (child.exitCode !== null) throw new Error(`banhammerd exited ${child.exitCode}; see ${daemonOut}`);
    if (Date.now() > deadline) throw new Error('banhammerd did not answer within 30 s');
    await sleep(100);
  }
}

async function stopDaemon(signal) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

function kernelSet() {
  try {
    const out = execFileSync(
      'ip',
      ['netns', 'exec', ns, 'nft', '-j', 'list', 'set', 'inet', 'banhammer', `${JAIL}-v4`],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const elems = JSON.parse(out).nftables.find((e) => e.set)?.set.elem ?? [];
    return new Set(elems.map((e) => (typeof e === 'string' ? e : e.elem.val)));
  } catch {
    return new Set(); // no table (after SIGTERM)
  }
}

/** Bans and pending failures on file; the database is read while the daemon runs (WAL). */
function onFile() {
  const db = new Database(dbfile, { readonly: true, timeout: 5000 });
  try {
    const now = Date.now();
    const bans = db
      .prepare(
        `SELECT address, failures, banned_at FROM bans WHERE jail = ? AND lifted_at IS NULL
         AND (expires_at IS NULL OR expires_at > ?)`,
      )
      .all(JAIL, now);
    const pending = db
      .prepare('SELECT address, count(*) AS n FROM failures WHERE jail = ? GROUP BY address')
      .all(JAIL);
    const integrity = db.pragma('integrity_check', { simple: true });
    return {
      bans: new Map(bans.map((r) => [r.address, r.failures])),
      bannedAt: new Map(bans.map((r) => [r.address, r.banned_at])),
      pending: new Map(pending.map((r) => [r.address, r.n])),
      integrity,
    };
  } finally {
    db.close();
  }
}

// ---- the writer --------------------------------------------------------------------------------
/** address → failure lines written for it. */
const written = new Map();
/** address → when its maxretry-th line was written: no ban of it can be earlier. */
const completedAt = new Map();
let linesWritten = 0;
let nextAddress = 0;
const open = [];
const address = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function syslogNow() {
  const d = new Date();
  const month = d.toLocaleString('en-US', { month: 'short' });
  const pad = (n) => String(n).padStart(2, '0');
  return `${month} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function writeLines(count) {
  let text = '';
  for (let i = 0; i < count; i++) {
    while (open.length < OPEN) open.push(address(++nextAddress));
    // Round-robin over the open addresses: each one's failures are spread over a few seconds.
    const ip = open.shift();
    const n = (written.get(ip) ?? 0) + 1;
    written.set(ip, n);
    if (n < MAXRETRY) open.push(ip);
    else completedAt.set(ip, Date.now());
    text += `${syslogNow()} soak sshd[${1000 + (linesWritten % 9000)}]: Failed password for root from ${ip} port ${40000 + n} ssh2\n`;
    linesWritten++;
  }
  appendFileSync(authLog, text);
}

// Rotations run between two appends of this process, so no line falls between copy and truncate.
function shiftRotated() {
  rmSync(`${authLog}.${KEEP}`, { force: true });
  for (let k = KEEP - 1; k >= 1; k--)
    if (existsSync(`${authLog}.${k}`)) renameSync(`${authLog}.${k}`, `${authLog}.${k + 1}`);
}
function rotateCreate() {
  shiftRotated();
  renameSync(authLog, `${authLog}.1`);
  writeFileSync(authLog, '');
}
function rotateCopytruncate() {
  shiftRotated();
  copyFileSync(authLog, `${authLog}.1`);
  truncateSync(authLog, 0);
}

// ---- the run -------------------------------------------------------------------------------------
async function main() {
  if (!existsSync(join(REPO, 'dist', 'main.js')))
    throw new Error('dist/ is missing: run "npm run build" first');
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  await startDaemon();
  const started = Date.now();
  const endAt = started + MINUTES * 60_000;
  const events = { sigterm: 0, sigkill: 0, create: 0, copytruncate: 0 };

  const tick = 50;
  let carry = 0;
  const writer = setInterval(() => {
    carry += (RATE * tick) / 1000;
    const n = Math.floor(carry);
    carry -= n;
    if (n > 0) writeLines(n);
  }, tick);

  let nextRotation = started + between(10_000, 20_000);
  let nextRestart = started + between(20_000, 30_000);
  let rotations = 0;
  let restarts = 0;
  while (Date.now() < endAt) {
    await sleep(100);
    const now = Date.now();
    if (now >= nextRotation) {
      if (rotations++ % 2 === 0) {
        rotateCreate();
        events.create++;
      } else {
        rotateCopytruncate();
        events.copytruncate++;
      }
      nextRotation = now + between(20_000, 30_000);
    }
    if (now >= nextRestart) {
      const signal = restarts++ % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
      events[signal.toLowerCase()]++;
      // The writer goes on while the daemon is down: the next start reads the backlog.
      await stopDaemon(signal);
      await sleep(between(500, 3000));
      await startDaemon();
      nextRestart = Date.now() + between(20_000, 30_000);
    }
  }
  clearInterval(writer);

  // Let the daemon read to the end: until the database has counted every line written, or
  // nothing has moved for 5 s.
  const expected = new Set([...written].filter(([, n]) => n >= MAXRETRY).map(([ip]) => ip));
  const countedOn = (st) =>
    [...st.bans.values()].reduce((a, b) => a + b, 0) + [...st.pending.values()].reduce((a, b) => a + b, 0);
  let state = onFile();
  let last = -1;
  for (let still = 0, i = 0; i < 600 && still < 20 && countedOn(state) !== linesWritten; i++) {
    await sleep(250);
    state = onFile();
    still = countedOn(state) === last ? still + 1 : 0;
    last = countedOn(state);
  }
  // Pending failures reach the file with the next position save: a second more.
  await sleep(2000);
  state = onFile();
  const kernel = kernelSet();
  const status = banctl(['status', JAIL]) ?? '';
  await stopDaemon('SIGTERM');
  const after = onFile();

  // ---- the report ----
  const applied = new Set([...kernel, ...state.bans.keys()]);
  let counted = 0;
  const lost = [];
  const extra = [];
  for (const [ip, n] of written) {
    const c = state.bans.has(ip) ? state.bans.get(ip) : (state.pending.get(ip) ?? 0);
    counted += c;
    if (c < n) lost.push(`${ip} (${n} written, ${c} counted)`);
    if (c > n || (state.bans.has(ip) && n < MAXRETRY)) extra.push(`${ip} (${n} written, ${c} counted)`);
  }
  // A ban before its last line was written means a line was counted twice (a lost line shows as
  // a missing ban instead).
  const early = [...state.bannedAt]
    .filter(([ip, at]) => !(at >= (completedAt.get(ip) ?? Number.POSITIVE_INFINITY)))
    .map(([ip, at]) => `${ip} (${(completedAt.get(ip) ?? at) - at} ms early)`);
  const missing = [...expected].filter((ip) => !applied.has(ip));
  const unexpected = [...applied].filter((ip) => !expected.has(ip));
  const kernelOnly = [...kernel].filter((ip) => !state.bans.has(ip));
  const fileOnly = [...state.bans.keys()].filter((ip) => !kernel.has(ip));
  const totals = (name) =>
    /(\d+)\s*$/.exec(status.split('\n').find((l) => l.includes(name)) ?? '')?.[1] ?? '?';
  const errors = readFileSync(daemonOut, 'utf8')
    .split('\n')
    .filter((l) => /"level":(50|60)/.test(l));
  const pad = (s) => String(s).padEnd(22);
  const list = (xs) => (xs.length === 0 ? '' : `: ${xs.slice(0, 8).join(', ')}${xs.length > 8 ? ', …' : ''}`);
  const out = [
    `soak: ${MINUTES} min, seed ${SEED}, ${RATE} lines/s, ${OPEN} addresses failing at once, maxretry ${MAXRETRY}`,
    `  restarts: ${events.sigterm} SIGTERM, ${events.sigkill} SIGKILL; rotations: ${events.create} create, ${events.copytruncate} copytruncate`,
    `${pad('lines written')}${linesWritten}`,
    `${pad('lines counted')}${counted}   (database: ${state.bans.size} bans × their failures + ${[...state.pending.values()].reduce((a, b) => a + b, 0)} pending failures)`,
    `${pad('banctl status')}Total failed ${totals('Total failed')}, Total banned ${totals('Total banned')} (since the last start)`,
    `${pad('bans expected')}${expected.size}`,
    `${pad('bans applied')}${applied.size}   (kernel ${kernel.size} ∪ database ${state.bans.size})`,
    `${pad('state file')}integrity ${after.integrity}; ${after.bans.size} active bans after SIGTERM`,
    `${pad('daemon errors')}${errors.length}${list(errors.map((l) => JSON.parse(l).msg))}`,
    `differences:`,
    `  lines lost           ${lost.length}${list(lost)}`,
    `  lines counted twice  ${extra.length}${list(extra)}`,
    `  bans too early       ${early.length}${list(early)}`,
    `  bans missing         ${missing.length}${list(missing)}`,
    `  bans unexpected      ${unexpected.length}${list(unexpected)}`,
    `  kernel, not on file  ${kernelOnly.length}${list(kernelOnly)}`,
    `  on file, not kernel  ${fileOnly.length}${list(fileOnly)}`,
  ];
  console.log(out.join('\n'));
  const clean =
    lost.length +
      extra.length +
      early.length +
      missing.length +
      unexpected.length +
      kernelOnly.length +
      fileOnly.length ===
    0;
  return clean && after.integrity === 'ok' ? 0 : 1;
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((err) => {
    console.error(err);
    cleanup();
    process.exit(2);
  });
