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
