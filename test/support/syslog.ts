// Log lines as the daemon sees them in production: syslog's timestamp of now (local time, no
// year) in front of an OpenSSH message.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Nov 27 13:05:09`, now, as rsyslog writes it (day padded with a space). */
export function syslogNow(): string {
  return syslogAt(Date.now());
}

/** The same at `ms`: in local time, or in the fixed zone `zoneMin` minutes east of UTC. */
export function syslogAt(ms: number, zoneMin?: number): string {
  const fixed = zoneMin !== undefined;
  const d = new Date(fixed ? ms + zoneMin * 60_000 : ms);
  const [month, day, h, mi, s] = fixed
    ? [d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[month]} ${String(day).padStart(2, ' ')} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** One `Failed password` line from `address`, newline included unless `end` says otherwise. */
export function failedPassword(
  address: string,
  opts: { user?: string; port?: number; end?: string } = {},
): string {
  const { user = 'root', port = 4000, end = '\n' } = opts;
  return `${syslogNow()} srv sshd[77]: Failed password for ${user} from ${address} port ${port} ssh2${end}`;
}
