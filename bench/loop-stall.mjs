// Preloaded into banhammerd by the bench only (node --import bench/loop-stall.mjs): records every
// event-loop stall of 5 ms or more as [start, length], start in process.hrtime ns (CLOCK_MONOTONIC,
// the clock of nft-watch.py and of the bench), and writes them to $BENCH_LOOP_STALL_FILE at SIGTERM and exit.
// A 1 ms interval timer: its own cost is small, but it is only used on a run that is not timed.

import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_LOOP_STALL_FILE;
const TICK_MS = 1;
const stalls = [];
let last = process.hrtime.bigint();

if (file) {
  setInterval(() => {
    const t = process.hrtime.bigint();
    const late = Number(t - last) / 1e6 - TICK_MS;
    if (late >= 5) stalls.push([String(last), late]);
    last = t;
  }, TICK_MS).unref();
  const save = () => writeFileSync(file, JSON.stringify(stalls));
  // At SIGTERM too (banhammerd keeps its own handler): a stop that times out ends in SIGKILL.
  process.on('SIGTERM', save);
  process.on('exit', save);
}
