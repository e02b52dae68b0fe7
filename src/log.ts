// The root logger. Every module receives a child of it; nothing else creates loggers.
// JSON goes to standard error (journald keeps it under systemd); when `logtarget` is a file, the
// same records go there as fail2ban-format text (log-text.ts), which recidive jails read.

import type { Level, Logger, StreamEntry } from 'pino';
import { requirePackage } from './core/require-package.ts';
import { batchedPerTurn } from './log-batch.ts';
import { type LogStyle, textFileStream } from './log-text.ts';

const pino = requirePackage('pino') as typeof import('pino');

// fail2ban's level names onto pino's; NOTICE has no pino twin and reads as INFO.
const LEVELS: Readonly<Record<string, Level>> = {
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

/** `jsonFd`: where the JSON goes instead of standard error (standard output for STDOUT); for tests. */
export function createLogger(
  opts: { loglevel: string; logtarget: string; logstyle: LogStyle },
  jsonFd?: number,
): Logger {
  const level = LEVELS[opts.loglevel.toUpperCase()] ?? 'info';
  // Buffered, a turn's records written together (log-batch.ts): process.stderr on a file or pipe
  // writes each record synchronously, a syscall per line, which was a sixth of a ban storm's time
  // (bench throughput). The buffer is written at exit; a SIGKILL loses the last moment's records.
  const fd = jsonFd ?? (opts.logtarget === 'STDOUT' ? 1 : 2);
  const streams: StreamEntry[] = [{ level, stream: batchedPerTurn({ fd }) }];
  if (!isLogFile(opts.logtarget))
    return pino({ level, base: { name: 'banhammerd' } }, pino.multistream(streams));
  // Both streams take every level the logger writes, so the record a hook call shows the text
  // stream is the next one pino writes to it (log-text.ts take()).
  const text = textFileStream(opts.logtarget, opts.logstyle);
  streams.push({ level, stream: text });
  return pino(
    {
      level,
      base: { name: 'banhammerd' },
      hooks: {
        logMethod(args, method) {
          text.take(args[0], () => this.bindings().jail, Date.now());
          method.apply(this, args);
        },
      },
    },
    pino.multistream(streams),
  );
}
