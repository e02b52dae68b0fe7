// Port lists as jails write them: "ssh", "22", "http,https", "1000:2000", "0:65535".
// Service names resolve through /etc/services when the machine has one, else through a
// built-in table of the names fail2ban's stock jails use, so a minimal container still works.

import { readFileSync } from 'node:fs';
import type { PortRange, Protocol } from '../core/types.ts';

const BUILTIN: Readonly<Record<string, number>> = {
  ftp: 21,
  'ftp-data': 20,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  http: 80,
  pop3: 110,
  sunrpc: 111,
  auth: 113,
  ident: 113,
  imap: 143,
  imap2: 143,
  imap3: 220,
  ldap: 389,
  https: 443,
  submissions: 465,
  smtps: 465,
  ssmtp: 465,
  submission: 587,
  ldaps: 636,
  'ftps-data': 989,
  ftps: 990,
  imaps: 993,
  pop3s: 995,
  'ms-sql-s': 1433,
  mysql: 3306,
  postgresql: 5432,
  xmpp: 5222,
  sieve: 4190,
  asterisk: 5038,
  'http-alt': 8080,
  webmin: 10000,
};

let services: Map<string, number> | undefined;

function serviceTable(): Map<string, number> {
  if (services) return services;
  services = new Map(Object.entries(BUILTIN));
  try {
    for (const line of readFileSync('/etc/services', 'utf8').split('\n')) {
      const m = /^([A-Za-z0-9][\w.+-]*)\s+(\d+)\/(tcp|udp)((?:\s+[\w.+-]+)*)/.exec(line);
      if (!m) continue;
      const port = Number(m[2]);
      for (const name of [m[1]!, ...m[4]!.trim().split(/\s+/).filter(Boolean)]) {
        if (!services.has(name.toLowerCase())) services.set(name.toLowerCase(), port);
      }
    }
  } catch {
    // No /etc/services (netbase not installed): the built-in names are what we have.
  }
  return services;
}

function portNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  return serviceTable().get(text.toLowerCase());
}

/** Parses a port list; an error message names the first bad element. */
export function parsePorts(text: string): { ports: PortRange[] } | { error: string } {
  const ports: PortRange[] = [];
  // fail2ban separates with commas; a stray space after a comma is common in hand edits.
  const items = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) return { error: 'expected a port, a range or a service name, got nothing' };
  for (const item of items) {
    const sep = item.includes(':') ? ':' : item.includes('-') && /^\d+-\d+$/.test(item) ? '-' : undefined;
    const [a, b] = sep ? item.split(sep) : [item, item];
    const from = portNumber(a ?? '');
    const to = portNumber(b ?? '');
    if (from === undefined || to === undefined || from > to) {
      return { error: `expected a port (0-65535), a range (from:to) or a known service name, got "${item}"` };
    }
    ports.push({ from, to });
  }
  return { ports };
}

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp', 'dccp', 'all'];

export function parseProtocol(text: string): Protocol | undefined {
  const p = text.trim().toLowerCase();
  return (PROTOCOLS as readonly string[]).includes(p) ? (p as Protocol) : undefined;
}
