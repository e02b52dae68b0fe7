// One write per turn of the event loop for a log destination. pino's asynchronous destination
// starts its next write of at most 16 KiB when the last one completes, one completion per turn,
// while a turn that reads a large log logs far more (a `Found` record per failure): the rest
// waited in memory, about 100 MiB once a million failures had been read
// (bench/figures/memory.mjs). What a turn logged goes out as one write instead; at exit, what
// is pending goes to the destination before its final flush.

import type pino from 'pino';

type Destination = ReturnType<typeof pino.destination>;

/** `dest`, its records of one turn written together (flushSync: now). */
export function batchedPerTurn(dest: Destination): pino.DestinationStream & { flushSync(): void } {
  let pending = '';
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    dest.write(text);
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
    write(text: string) {
      pending += text;
      if (scheduled || pending === '') return;
      scheduled = true;
      setImmediate(drain);
    },
    flushSync: () => {
      drain();
      dest.flushSync();
    },
  };
}
