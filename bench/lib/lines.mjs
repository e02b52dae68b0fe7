// Log lines the bench appends: sshd failures that banhammer's, fail2ban's and sshguard's stock
// sshd rules all match, stamped in syslog's UTC format (every daemon runs with TZ=UTC).

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const p2 = (n) => String(n).padStart(2, '0');

export function syslogStamp(ms) {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${MONTHS[d.getUTCMonth()]} ${day} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** The i-th address of a /8 (i < 2^24): distinct, never .0 or .255 collisions that matter. */
export function ipv4(first, i) {
  return `${first}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/**
 * The i-th of up to 2^24 distinct addresses spread as a botnet's are, over 11.x to 110.x: i times
 * an odd number, modulo 2^24, is a different 24-bit number for each i (the last three bytes),
 * scattered over the space, unlike ipv4()'s neighbours (the state file's address index sees a
 * storm's addresses land all over it, not at one end).
 */
export function spreadIpv4(i) {
  const j = Math.imul(i, 0x9e3779b1) & 0xffffff;
  return `${11 + (i % 100)}.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`;
}

export function failLine(address, ms = Date.now(), n = 0) {
  return `${syslogStamp(ms)} bench-host sshd[${1000 + (n % 30000)}]: Failed password for root from ${address} port ${1024 + (n % 60000)} ssh2\n`;
}

/** `times` failures for each address, each address's lines together, stamped now. */
export function failures(addresses, times) {
  const ms = Date.now();
  const out = [];
  for (let i = 0; i < addresses.length; i++) {
    for (let t = 0; t < times; t++) out.push(failLine(addresses[i], ms, i + t));
  }
  return out.join('');
}
