// Helpers for tail tests on real files: a deadline-bounded poll instead of fixed sleeps, and a
// look at this process's open descriptors (Linux /proc) to prove readers share or release files.

import { readdirSync, readlinkSync } from 'node:fs';

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Retries `check` until it stops throwing or `ms` pass; then throws its last error. */
export async function eventually(check: () => void, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(10);
    }
  }
}

/** Targets of this process's open file descriptors that lie under `prefix`. */
export function fdsInto(prefix: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(prefix)) out.push(target);
    } catch {
      // The descriptor closed while we looked (readdir's own, for one).
    }
  }
  return out;
}
