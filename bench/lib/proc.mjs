// Resource use of a process, read from /proc: resident memory and CPU time (all threads).

import { readdirSync, readFileSync } from 'node:fs';

/** { rss, hwm } in KiB: resident now, and the peak. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/**
 * CPU time, in ms, of the process's threads so far: the scheduler's own count, in nanoseconds
 * (/proc/PID/task/TID/schedstat). /proc/PID/stat's ticks of 10 ms made two readings around an
 * idle stretch differ by 10 ms for any use at all, or by none for several milliseconds of it.
 */
export function cpuMs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read: its time is not counted here.
    }
  }
  return ns / 1e6;
}
