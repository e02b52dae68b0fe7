// Real journal files for journal tests, with no journald running: entries are written in the
// journal export format and systemd-journal-remote (package systemd-journal-remote) appends
// them to DIR/remote.journal, which `journalctl --directory=DIR` reads and follows.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REMOTE = '/lib/systemd/systemd-journal-remote';
const BOOT = '0123456789abcdef0123456789abcdef';

export type Fields = Record<string, string | Buffer>;

let monotonic = 1_000_000;

/** An sshd entry at `timeMs` unless `fields` say otherwise. */
export function entry(message: string | Buffer, timeMs: number, fields: Fields = {}): Fields {
  return {
    __REALTIME_TIMESTAMP: String(timeMs * 1000),
    __MONOTONIC_TIMESTAMP: String(monotonic++),
    _BOOT_ID: BOOT,
    _HOSTNAME: 'host1',
    SYSLOG_IDENTIFIER: 'sshd',
    _PID: '42',
    _SYSTEMD_UNIT: 'sshd.service',
    MESSAGE: message,
    ...fields,
  };
}

function exportFormat(entries: readonly Fields[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === 'string' && !v.includes('\n')) parts.push(Buffer.from(`${k}=${v}\n`));
      else {
        // Binary-safe form: the name, a newline, a little-endian 64-bit length, the bytes.
        const bytes = Buffer.from(v);
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(bytes.length));
        parts.push(Buffer.from(`${k}\n`), len, bytes, Buffer.from('\n'));
      }
    }
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Appends `entries` to the journal in `dir`. */
export function appendJournal(dir: string, entries: readonly Fields[]): void {
  if (!existsSync(REMOTE)) throw new Error(`${REMOTE} is missing: apt-get install systemd-journal-remote`);
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'input.export');
  writeFileSync(input, exportFormat(entries));
  execFileSync(REMOTE, [`--output=${join(dir, 'remote.journal')}`, input], { stdio: 'ignore' });
}
