// Log lines as the daemon sees them in production: syslog's timestamp of now (local time, no
// year) in front of an OpenSSH message.

/** `Nov 27 13:05:09`, now, as rsyslog writes it (day padded with a space). */
export function syslogNow(): string {
  const d = new Date();
  const month = d.toLocaleString('en-US', { month: 'short' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** One `Failed password` line from `address`, newline included unless `end` says otherwise. */
export function failedPassword(
  address: string,
  opts: { user?: string; port?: number; end?: string } = {},
): string {
  const { user = 'root', port = 4000, end = '\n' } = opts;
  return `${syslogNow()} srv sshd[77]: Failed password for ${user} from ${address} port ${port} ssh2${end}`;
}
