// What a ban carries besides its address: the matched lines behind it (actions' <matches>, the
// ban mail) and the filter's <F-…> captures. The counter keeps only times, so both are read back
// from the state file when the verdict comes: synchronously, before the ban's transaction
// forgets the address's failures, and from the store's queue for those not written yet.

import type { StateStore } from '../ban/ports.ts';
import { setOwn } from '../core/own-key.ts';
import type { Verdict } from '../core/types.ts';

/** How many lines a ban carries, the newest: fail2ban's `maxmatches` default. */
export const MAX_MATCHES = 10;

export interface Evidence {
  /** Oldest first. */
  readonly matches: readonly string[];
  /** A later failure's value winning. */
  readonly fields: Readonly<Record<string, string>>;
}

/** The lines and captures of the verdict's failures inside findtime of its newest one. */
export function evidence(
  store: Pick<StateStore, 'failuresOf'>,
  jail: string,
  verdict: Verdict,
  findtimeMs: number,
): Evidence {
  const failures = store.failuresOf(jail, verdict.address, verdict.time - findtimeMs, verdict.failures);
  // One object and one array per ban: a spread per failure and a slice were a storm's garbage.
  // setOwn, not Object.assign: a capture named __proto__ is a field like any other.
  const fields: Record<string, string> = {};
  for (const f of failures)
    if (f.fields) for (const k of Object.keys(f.fields)) setOwn(fields, k, f.fields[k]!);
  // Pushed, not preallocated: an array made with a length has holes as far as V8 knows, and the
  // state file's writer thread copies holey arrays more slowly (~25% per ban storm's hand-over).
  const matches: string[] = [];
  for (let i = Math.max(0, failures.length - MAX_MATCHES); i < failures.length; i++)
    matches.push(failures[i]!.line);
  return { matches, fields };
}
