// banhammerd's log file in fail2ban's text format, so jails written for fail2ban's own log
// (the recidive jail, the tutorial's [fail2ban] jail) can watch it. Ban events become fail2ban's
// exact ban lines; everything else becomes a plain line under a `banhammer.*` logger name.
// Nothing from a watched log, a command or the network is written here verbatim: a line of
// that origin could otherwise forge a ban line that a recidive jail would act on.

import type { DestinationStream } from 'pino';
import { batchedPerTurn } from './log-batch.ts';

/** legacy: fail2ban 0.8 (`fail2ban.actions: WARNING [jail] Ban IP`); modern: 0.9 and later. */
export type LogStyle = 'legacy' | 'modern';

export type BanEventKind = 'ban' | 'unban' | 'restore' | 'found';

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARNING',
  50: 'ERROR',
  60: 'CRITICAL',
};

// Scalar fields worth a glance in a text log; anything else stays in the JSON on stderr.
const FIELDS = ['ip', 'count', 'failures', 'bantime', 'path', 'socket', 'signal', 'jails', 'action'] as const;

const pad2 = (n: number) => String(n).padStart(2, '0');

// The date and time up to the second, for the last second formatted: a ban storm logs thousands
// of lines a second, each of which would otherwise build a Date and pad six fields.
let cachedSecond = Number.NaN;
let cachedHead = '';

/** fail2ban's timestamp: local time, `2026-11-27 10:24:12,123`. */
export function formatTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
    cachedHead = `${date} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    cachedSecond = second;
  }
  return `${cachedHead},${String(ms - second * 1000).padStart(3, '0')}`;
}

function head(style: LogStyle, time: number, logger: string, level: string, pid: number): string {
  return style === 'legacy'
    ? `${formatTime(time)} ${logger}: ${level}`
    : `${formatTime(time)} ${logger.padEnd(24)}[${pid}]: ${level.padEnd(7)}`;
}

/** One ban-lifecycle line exactly as fail2ban writes it in `style`. */
export function formatEvent(
  style: LogStyle,
  kind: BanEventKind,
  e: { time: number; jail: string; ip: string; pid: number },
): string {
  if (kind === 'found')
    return `${head(style, e.time, 'fail2ban.filter', 'INFO', e.pid)} [${e.jail}] Found ${e.ip}`;
  const level = style === 'legacy' ? 'WARNING' : 'NOTICE';
  const verb = kind === 'ban' ? 'Ban' : kind === 'unban' ? 'Unban' : 'Restore Ban';
  return `${head(style, e.time, 'fail2ban.actions', level, e.pid)} [${e.jail}] ${verb} ${e.ip}`;
}

/** Control characters out, and no text that could pose as fail2ban's ban logger. */
export function sanitize(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '?').replace(/fail2ban\.actions/gi, 'fail2ban_actions');
}

interface PinoRecord {
  level: number;
  time: number;
  pid?: number;
  msg?: string;
  event?: BanEventKind;
  jail?: string;
  stage?: string;
  ip?: string;
  /** A group of events of one kind (events.ts: restored bans), one text line each. */
  ips?: unknown;
  err?: { type?: string; message?: string };
  [key: string]: unknown;
}

/**
 * A group of events (events.ts: a ban storm's Found and Ban lines come in groups of hundreds),
 * as a record with addresses (`ips`) and no single `ip`: its lines' common head, formatted once,
 * and its addresses; undefined for any other record.
 */
function eventGroup(
  rec: Pick<PinoRecord, 'event' | 'jail' | 'ip' | 'ips' | 'time'>,
  style: LogStyle,
  pid: number,
): { prefix: string; ips: string[] } | undefined {
  const { event, jail, ips } = rec;
  if (!event || jail === undefined || rec.ip !== undefined || !Array.isArray(ips)) return undefined;
  if (!ips.every((ip) => typeof ip === 'string')) return undefined;
  return { prefix: formatEvent(style, event, { time: rec.time, jail, ip: '', pid }), ips };
}

/**
 * A group's lines as bytes, each ending in a newline: no string of the whole group is built. The
 * head is encoded once and copied before each address, and an address's ASCII characters are
 * stored one by one: a Buffer write per address (a call into C++ each) took over twice as long
 * (400,000 lines: ~40 against ~17 ms).
 */
function groupBytes({ prefix, ips }: { prefix: string; ips: readonly string[] }): Buffer {
  const head = Buffer.from(prefix);
  const headLength = head.length;
  let room = 0;
  for (const ip of ips) room += headLength + 3 * ip.length + 1;
  const out = Buffer.allocUnsafe(room);
  let at = 0;
  for (const ip of ips) {
    out.set(head, at);
    at += headLength;
    let k = 0;
    for (; k < ip.length; k++) {
      const c = ip.charCodeAt(k);
      if (c > 0x7f) break;
      out[at + k] = c;
    }
    // Whatever follows a character that is not ASCII is encoded as UTF-8 (never in an address).
    at += k < ip.length ? k + out.write(ip.slice(k), at + k) : k;
    out[at++] = 0x0a;
  }
  return out.subarray(0, at);
}

/** A pino record as one text line (a group of events: a line each); ban events in fail2ban's exact format. */
export function formatRecord(rec: PinoRecord, style: LogStyle, pid: number): string {
  if (rec.event && rec.jail !== undefined && rec.ip !== undefined) {
    return formatEvent(style, rec.event, { time: rec.time, jail: rec.jail, ip: rec.ip, pid });
  }
  const group = eventGroup(rec, style, pid);
  // The lines the text log writes for the group, without the last newline.
  if (group) return group.ips.length === 0 ? '' : groupBytes(group).toString().slice(0, -1);
  const logger = `banhammer.${rec.stage ?? (rec.jail !== undefined ? 'jail' : 'server')}`;
  let text = rec.jail !== undefined ? `[${rec.jail}] ${rec.msg ?? ''}` : (rec.msg ?? '');
  for (const key of FIELDS) {
    const v = rec[key];
    if (typeof v === 'string' || typeof v === 'number') text += ` ${key}=${v}`;
  }
  if (rec.err?.message) text += ` error=${rec.err.message.split('\n')[0]!.slice(0, 200)}`;
  return `${head(style, rec.time, logger, LEVEL_NAMES[rec.level] ?? 'INFO', pid)} ${sanitize(text)}`;
}

/** A pino destination that writes `formatRecord` lines to a file; see textFileStream(). */
export interface TextLogStream extends DestinationStream {
  /**
   * For the logger's logMethod hook (log.ts), with what a record is logged from, before pino
   * serializes it: a group of events is written from the object there and then, and the group's
   * JSON, which this stream's write() gets next, is not parsed back.
   */
  take(logged: unknown, jail: () => unknown, time: number): void;
  flushSync(): void;
}

/** Whether `chunk` is pino's JSON of a group: a record with an `ips` array, found near its start. */
const isGroupRecord = (chunk: string): boolean => chunk.startsWith('{"level":') && chunk.includes('"ips":[');

/**
 * A pino destination stream that writes `formatRecord` lines to a file. The lines of one tick
 * go to the file as one write (a ban storm logs a line per ban); flushSync and process exit
 * write what is pending first. Groups of events reach it through take(): parsing a ban storm's
 * `Found` and `Ban` groups back from JSON took ~55 ms of the daemon's thread's ~1.25 s (100,000
 * bans, in process).
 */
export function textFileStream(path: string, style: LogStyle): TextLogStream {
  const file = batchedPerTurn({ dest: path, mkdir: true });
  /** Whether take() wrote the record pino writes next. */
  let taken = false;
  const writeGroup = (group: { prefix: string; ips: readonly string[] }) => {
    // An empty group is no line at all, not an empty one.
    if (group.ips.length > 0) file.write(groupBytes(group));
  };
  return {
    take(logged, jail, time) {
      if (logged === null || typeof logged !== 'object') return;
      const rec = logged as PinoRecord;
      // Only a record with addresses can be a group: the jail's name is read for no other.
      if (!Array.isArray(rec.ips)) return;
      const name = rec.jail ?? jail();
      if (typeof name !== 'string') return;
      const group = eventGroup(
        { event: rec.event, jail: name, ip: rec.ip, ips: rec.ips, time },
        style,
        process.pid,
      );
      if (!group) return;
      writeGroup(group);
      taken = true;
    },
    write(chunk: string) {
      // The group take() wrote; the check of its shape keeps a flag left over from eating another.
      if (taken) {
        taken = false;
        if (isGroupRecord(chunk)) return;
      }
      for (const json of chunk.split('\n')) {
        if (json === '') continue;
        const rec = JSON.parse(json) as PinoRecord;
        const group = eventGroup(rec, style, process.pid);
        if (group) writeGroup(group);
        else file.write(`${formatRecord(rec, style, process.pid)}\n`);
      }
    },
    flushSync: () => file.flushSync(),
  };
}
