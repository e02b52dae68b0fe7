// The root logger. Every module receives a child of it; nothing else creates loggers.
// fail2ban's level names (WARNING, NOTICE, CRITICAL) map onto pino's.

import pino, { type Logger } from 'pino';

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

/**
 * Logs JSON to stderr (journald captures it under systemd) and, when `logtarget` is a file,
 * to that file as well.
 */
export function createLogger(loglevel: string, logtarget: string): Logger {
  const level = LEVELS[loglevel.toUpperCase()] ?? 'info';
  const streams: pino.StreamEntry[] = [
    { level, stream: logtarget === 'STDOUT' ? process.stdout : process.stderr },
  ];
  if (!STREAMS.has(logtarget.toUpperCase())) {
    streams.push({ level, stream: pino.destination({ dest: logtarget, mkdir: true, sync: false }) });
  }
  return pino({ level, base: { name: 'banhammerd' } }, pino.multistream(streams));
}
