// Renders replies the way fail2ban-client prints them. fail2ban separates label and value with
// a tab; terminals show that as padding to column 24, which is what the tutorial's transcript
// captured, so banctl pads with spaces to the same column and the output reads identically
// whether it lands on a terminal, in a file or in a diff.

import type { DaemonStatus, JailStatusReply, ReloadReply } from '../control/protocol.ts';

const COLUMN = 24;

function row(label: string, value: string | number): string {
  return `${label}${' '.repeat(Math.max(1, COLUMN - label.length))}${value}`;
}

export function formatStatus(s: DaemonStatus): string {
  return ['Status', row('|- Number of jail:', s.jails.length), row('`- Jail list:', s.jails.join(', '))].join(
    '\n',
  );
}

export function formatJailStatus(s: JailStatusReply): string {
  return [
    `Status for the jail: ${s.name}`,
    '|- Filter',
    row('|  |- Currently failed:', s.currentlyFailed),
    row('|  |- Total failed:', s.totalFailed),
    row('|  `- File list:', s.files.join(' ')),
    '`- Actions',
    row('   |- Currently banned:', s.currentlyBanned),
    row('   |- Total banned:', s.totalBanned),
    row('   `- Banned IP list:', s.bannedAddresses.join(' ')),
  ].join('\n');
}

/** fail2ban-client answers a reload with `OK`; banhammer adds what changed, one row per kind. */
export function formatReload(r: ReloadReply): string {
  const kinds: [string, readonly string[]][] = [
    ['Started:', r.started],
    ['Restarted:', r.restarted],
    ['Stopped:', r.stopped],
    ['Unchanged:', r.kept],
    ['Failed to start:', r.failed],
  ];
  const rows = kinds.filter(([, names]) => names.length > 0);
  return [
    'OK',
    ...rows.map(([label, names], i) =>
      row(`${i === rows.length - 1 ? '`-' : '|-'} ${label}`, names.join(', ')),
    ),
  ].join('\n');
}
