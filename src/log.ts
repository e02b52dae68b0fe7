// The root logger. Every module receives a child of it; nothing else creates loggers.
// JSON goes to standard error (journald keeps it under systemd); when `logtarget` is a file, the
// same records go there as fail2ban-format text (log-text.ts), which recidive jails read.

import pino, { type Logger } from 'pino';
import { type LogStyle, textFileStream } from './log-text.ts';

// fail2ban's level names onto pino's; NOTICE has no pino twin and reads as INFO.
const LEVELS: Readonly<Record<string, pino.Level>> = {
  CRITICAL: 'fatal',
  ERROR: 'error',
  WARNING: 'warn',
  NOTICE: 'info',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'trace',
};

const STREAMS = new Set(['STDERR', 'STDOUT', 'SYSLOG', 'SYSTEMD-JOURNAL']);

/** True when `logtarget` names a file rather than a stream. */
export function isLogFile(logtarget: string): boolean {
  return !STREAMS.has(logtarget.toUpperCase());
}

export function createLogger(opts: { loglevel: string; logtarget: string; logstyle: LogStyle }): Logger {
  const level = LEVELS[opts.loglevel.toUpperCase()] ?? 'info';
  // Buffered, written when the loop is free: process.stderr on a file or pipe writes each record
  // synchronously, a syscall per line, which was a sixth of a ban storm's time (bench throughput).
  // pino flushes the buffer at exit; a SIGKILL loses at most the records of the last moment.
  const fd = opts.logtarget === 'STDOUT' ? 1 : 2;
  const streams: pino.StreamEntry[] = [{ level, stream: pino.destination({ fd, sync: false }) }];
  if (isLogFile(opts.logtarget))
    streams.push({ level, stream: textFileStream(opts.logtarget, opts.logstyle) });
  return pino({ level, base: { name: 'banhammerd' } }, pino.multistream(streams));
}
