// Multi-line failures by session id (<F-MLFID>), as fail2ban correlates them: a connection id
// seen on one line ties later lines of the same connection to the address it logged first.
// <F-NOFAIL> marks a line that is not (yet) a failure, <F-MLFGAINED> a session that
// authenticated, <F-MLFFORGET> its end. A line with the session id but no address leaves a
// pending failure that the line which names the address completes.
// Trade-off: the cache holds at most 100 sessions for 5 minutes, fail2ban's own bounds; on a host
// with more concurrent failing sessions the oldest lose their context, never the daemon its memory.

import type { TupleLine } from './line-buffer.ts';

const MAX_SESSIONS = 100;
const SESSION_MS = 5 * 60_000;

/** A failure being assembled: the captured groups plus fail2ban's bookkeeping keys. */
export interface FailureData {
  [group: string]: unknown;
  users?: Set<string>;
  matches?: TupleLine[];
  'nofail-matches'?: TupleLine[];
}

const NOFAIL = 1;
const FORGET = 2;
const WAS_NOFAIL = 4;
const GAINED = 8;

// Python truthiness of a captured group or flag: None and '' are false.
const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && v !== 0;

function take(data: FailureData, key: string): unknown {
  const v = data[key];
  delete data[key];
  return v;
}

/** Adds the line's user to the session's set; returns the set (undefined when no user so far). */
function addUser(data: FailureData, user: unknown): Set<string> | undefined {
  if (!truthy(user)) return data.users;
  data.users ??= new Set<string>();
  data.users.add(String(user));
  return data.users;
}

export class Sessions {
  // Insertion order is eviction order, as with fail2ban's OrderedDict.
  readonly #cache = new Map<string, { data: FailureData; expires: number }>();

  /**
   * Merges the failure `fail` a line produced into its session `mlfid`, returning the merged data
   * (possibly the cached object itself, which later lines keep updating). `matched` are the lines
   * the regex matched; `matches` of the result are the lines behind the failure so far.
   */
  merge(mlfid: string, fail: FailureData, matched: readonly TupleLine[], now: number): FailureData {
    const cached = this.#get(mlfid, now);
    let users: Set<string> | undefined;
    let flags = 0;
    if (truthy(fail.mlfgained)) {
      flags |= GAINED | NOFAIL;
      if (!truthy(fail.nofail)) fail.nofail = fail.mlfgained;
    } else if (truthy(fail.nofail)) flags |= NOFAIL;
    if (truthy(take(fail, 'mlfforget'))) flags |= FORGET;
    if (cached) {
      users = addUser(cached, fail.user);
      // 'nofail' and 'mlfgained' describe the last line only.
      if (truthy(take(cached, 'nofail'))) flags |= WAS_NOFAIL;
      if (truthy(take(cached, 'mlfgained'))) flags |= WAS_NOFAIL;
      // A gained session drops its pending failures (its users stay, to be checked below).
      if (flags & GAINED) delete cached.mlfpending;
      // Matches already reported with an earlier failure are not reported again.
      if ((flags & WAS_NOFAIL) === 0 && !truthy(cached.mlfpending)) delete cached.matches;
      for (const [k, v] of Object.entries(fail)) if (v !== undefined && v !== null) cached[k] = v;
      fail = cached;
      if (flags & FORGET) this.#cache.delete(mlfid);
    } else if ((flags & FORGET) === 0) {
      users = addUser(fail, fail.user);
      this.#set(mlfid, fail, now);
    }
    // Pending failures, or attempts under several user names, make this line a failure after all.
    if (truthy(take(fail, 'mlfpending')) || (users !== undefined && users.size > 1)) {
      delete fail.nofail;
      delete fail.mlfgained;
      flags &= ~(GAINED | NOFAIL);
    }
    if ((flags & NOFAIL) === 0) {
      const held = (take(fail, 'nofail-matches') as TupleLine[] | undefined) ?? [];
      const m = [...held, ...(fail.matches ?? [])];
      if ((flags & GAINED) === 0) m.push(...matched);
      fail.matches = m;
    } else if ((flags & (NOFAIL | FORGET)) === NOFAIL) {
      fail['nofail-matches'] = [...(fail['nofail-matches'] ?? []), ...matched];
    }
    return fail;
  }

  #get(mlfid: string, now: number): FailureData | undefined {
    const e = this.#cache.get(mlfid);
    if (!e) return undefined;
    if (e.expires > now) return e.data;
    this.#cache.delete(mlfid);
    return undefined;
  }

  #set(mlfid: string, data: FailureData, now: number): void {
    const existing = this.#cache.get(mlfid);
    if (existing) {
      // Python's dict keeps the key's place; only the value and its expiry change.
      existing.data = data;
      existing.expires = now + SESSION_MS;
      return;
    }
    if (this.#cache.size >= MAX_SESSIONS) {
      // Oldest first, until an unexpired one is dropped or room is made.
      for (const [k, e] of this.#cache) {
        this.#cache.delete(k);
        if (e.expires > now && this.#cache.size < MAX_SESSIONS) break;
      }
    }
    this.#cache.set(mlfid, { data, expires: now + SESSION_MS });
  }
}
