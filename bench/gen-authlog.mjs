// Writes a realistic, reproducible auth.log: a seeded mix of sshd failures (several kinds, IPv4
// and IPv6, a few hundred attacking addresses), successful logins, cron and systemd noise.
// Usage: node bench/gen-authlog.mjs LINES OUT [SEED] [START_MS] [STEP_MS]
// START_MS (epoch ms of the first line, default 2026-11-20 UTC) and STEP_MS (default 500) let
// bench/run.mjs place the whole log before or inside a jail's findtime; stamps are UTC.

import { createWriteStream } from 'node:fs';

const [lines = '1000000', out = '/tmp/auth.log', seedText = '42', startText, stepText = '500'] =
  process.argv.slice(2);
let seed = Number(seedText) >>> 0;
// mulberry32: small, fast, and the same sequence everywhere for the same seed.
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rand() * list.length)];
const attackers = Array.from({ length: 400 }, (_, i) =>
  i % 5 === 0
    ? `2001:db8:${(i * 7).toString(16)}::${(i % 250) + 1}`
    : `198.51.${(i >> 8) & 255}.${(i % 250) + 1}`,
);
const users = ['root', 'admin', 'oracle', 'test', 'ubuntu', 'git', 'postgres', 'pi', 'alice', 'deploy'];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const start = startText === undefined ? Date.UTC(2026, 10, 20) : Number(startText);
const step = Number(stepText);
const stamp = (i) => {
  const d = new Date(start + i * step);
  const p = (n) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};
const kinds = [
  [
    30,
    (a, u, pid) =>
      `sshd[${pid}]: Failed password for ${u} from ${a} port ${1024 + Math.floor(rand() * 60000)} ssh2`,
  ],
  [
    15,
    (a, u, pid) =>
      `sshd[${pid}]: Failed password for invalid user ${u} from ${a} port ${1024 + Math.floor(rand() * 60000)} ssh2`,
  ],
  [10, (a, u, pid) => `sshd[${pid}]: Invalid user ${u} from ${a} port ${1024 + Math.floor(rand() * 60000)}`],
  [
    8,
    (a, u, pid) =>
      `sshd[${pid}]: Connection closed by authenticating user ${u} ${a} port ${1024 + Math.floor(rand() * 60000)} [preauth]`,
  ],
  [
    5,
    (a, u, pid) =>
      `sshd[${pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${a}  user=${u}`,
  ],
  [
    7,
    (_a, u, pid) =>
      `sshd[${pid}]: Accepted publickey for ${u} from 203.0.113.${1 + Math.floor(rand() * 20)} port 50000 ssh2: ED25519 SHA256:q1w2e3r4t5y6u7i8o9p0`,
  ],
  [
    5,
    (_a, u, pid) => `sshd[${pid}]: pam_unix(sshd:session): session opened for user ${u}(uid=1000) by (uid=0)`,
  ],
  [12, (_a, _u, pid) => `CRON[${pid}]: pam_unix(cron:session): session closed for user root`],
  [8, (_a, _u, _pid) => `systemd-logind[412]: New session ${Math.floor(rand() * 9999)} of user alice.`],
];
const total = kinds.reduce((s, [w]) => s + w, 0);
const stream = createWriteStream(out);
const n = Number(lines);
for (let i = 0; i < n; i++) {
  let r = rand() * total;
  let make = kinds[0][1];
  for (const [w, f] of kinds) {
    r -= w;
    if (r < 0) {
      make = f;
      break;
    }
  }
  const line = `${stamp(i)} bench-host ${make(pick(attackers), pick(users), 1000 + Math.floor(rand() * 30000))}\n`;
  if (!stream.write(line)) await new Promise((ok) => stream.once('drain', ok));
}
stream.end();
