// One journal entry (journalctl --output=json) → the line a filter sees, in the shape fail2ban
// gives journal entries so its filters' syslog prefix matches: `HOST IDENT[PID]: MESSAGE`, with
// IDENT from SYSLOG_IDENTIFIER (else _COMM), PID from SYSLOG_PID (else _PID), the kernel's
// `[seconds.micro]` stamp after `kernel:`, newlines shown as `\n`. The time is the entry's own:
// _SOURCE_REALTIME_TIMESTAMP when the sender gave one, else __REALTIME_TIMESTAMP.

/**
 * journalctl's JSON value: a string; an array of byte values for a field that is not printable
 * UTF-8; an array of those for a field given several times; null when too large (without --all).
 */
type JsonField = string | number[] | (string | number[])[] | null;

export interface JournalLine {
  readonly text: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly cursor: string;
}

function decode(v: string | number[]): string {
  return typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
}

/** Every value of a field, decoded. */
function values(entry: Record<string, unknown>, field: string): string[] {
  const v = entry[field] as JsonField | undefined;
  if (v === null || v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (v.length > 0 && v.every((x) => typeof x === 'number')) return [decode(v as number[])];
  return (v as (string | number[])[]).map(decode);
}

const first = (entry: Record<string, unknown>, field: string): string | undefined =>
  values(entry, field)[0] || undefined;

/** A PID read as fail2ban reads it (an integer in any Python base notation), else as written. */
function pidText(v: string): string {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0+|[1-9]\d*)\s*$/.exec(v);
  if (!m) return v;
  const n = BigInt(m[2]!);
  return String(m[1] === '-' ? -n : n);
}

/** Microseconds (journal fields are decimal text) → milliseconds; undefined when absent. */
function micros(entry: Record<string, unknown>, field: string): number | undefined {
  const v = first(entry, field);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The line and time of one parsed entry; undefined when it has no cursor or no time. */
export function journalLine(entry: Record<string, unknown>): JournalLine | undefined {
  const cursor = first(entry, '__CURSOR');
  const us = micros(entry, '_SOURCE_REALTIME_TIMESTAMP') ?? micros(entry, '__REALTIME_TIMESTAMP');
  if (cursor === undefined || us === undefined) return undefined;
  const parts: string[] = [];
  const host = first(entry, '_HOSTNAME');
  if (host) parts.push(host);
  const ident = first(entry, 'SYSLOG_IDENTIFIER') ?? first(entry, '_COMM');
  if (ident) {
    const pid = first(entry, 'SYSLOG_PID') ?? first(entry, '_PID');
    const head = `${ident}${pid ? `[${pidText(pid)}]` : ''}:`;
    parts.push(head);
    if (head === 'kernel:') {
      const mono =
        micros(entry, '_SOURCE_MONOTONIC_TIMESTAMP') ?? micros(entry, '__MONOTONIC_TIMESTAMP') ?? 0;
      parts.push(`[${(mono / 1e6).toFixed(6).padStart(12)}]`);
    }
  }
  parts.push(values(entry, 'MESSAGE').join(' '));
  return { text: parts.join(' ').replaceAll('\n', '\\n'), time: Math.floor(us / 1000), cursor };
}
