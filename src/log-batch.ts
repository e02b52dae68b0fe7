// One write per turn of the event loop for a log destination. pino's asynchronous destination
// starts its next write of at most 16 KiB when the last one completes, one completion per turn,
// while a turn that reads a large log logs far more (a `Found` record per failure): the rest
// waited in memory, about 100 MiB once a million failures had been read
// (bench/figures/memory.mjs). What a turn logged goes out as one write instead; at exit, what
// is pending goes to the destination before its final flush.
//
// The turn's text is encoded to bytes once, here, and the destination writes bytes: given a
// string, it measures the string's UTF-8 length at each write, encodes it to write it, and
// encodes it again after the write to cut off what was written. A ban storm logs ~40 MB of
// text (a line per `Found` and per ban, on standard error and in the text log).

import { requirePackage } from './core/require-package.ts';

const pino = requirePackage('pino') as typeof import('pino');

export interface TurnBatched {
  /** Text (pino's records) or bytes (log-text.ts's lines), written in the order given. */
  write(data: string | Buffer): void;
  /** Writes what is pending now, and waits for the destination to have written it. */
  flushSync(): void;
}

/** A file or descriptor, its writes of one turn written together. */
export function batchedPerTurn(target: { fd: number } | { dest: string; mkdir: true }): TurnBatched {
  // In buffer mode the destination's write takes bytes, which pino's types do not say.
  const dest = pino.destination({ ...target, sync: false, contentMode: 'buffer' }) as unknown as {
    write(bytes: Buffer): boolean;
    flushSync(): void;
  };
  /** Bytes given since the last write, and text given after them. */
  let parts: Buffer[] = [];
  let text = '';
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    if (text !== '') parts.push(Buffer.from(text));
    text = '';
    if (parts.length === 0) return;
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    dest.write(bytes);
  };
  process.once('exit', () => {
    drain();
    try {
      dest.flushSync();
    } catch {
      // Not open yet, or closed: pino's own exit handler has the same limits.
    }
  });
  return {
    write(data: string | Buffer) {
      if (typeof data === 'string') text += data;
      else {
        if (text !== '') parts.push(Buffer.from(text));
        text = '';
        parts.push(data);
      }
      if (scheduled) return;
      scheduled = true;
      setImmediate(drain);
    },
    flushSync: () => {
      drain();
      dest.flushSync();
    },
  };
}
