// Verdict → BanOrder: when the ban starts and ends. Pure; `now` is when the decision is taken.
// bantime.increment and its history-based formula are future work (the bans table keeps what
// it will need).

import type { Address } from '../core/address.ts';
import type { BanOrder, Verdict } from '../core/types.ts';

export function decide(jail: string, verdict: Verdict, bantimeMs: number | null, now: number): BanOrder {
  return {
    jail,
    address: verdict.address,
    bannedAt: now,
    expiresAt: bantimeMs === null ? null : now + bantimeMs,
    failures: verdict.failures,
    restored: false,
  };
}

/** An operator's `banctl ban`: no failures behind it, the jail's usual bantime. */
export function decideManual(
  jail: string,
  address: Address,
  bantimeMs: number | null,
  now: number,
): BanOrder {
  return decide(jail, { address, failures: 0, time: now }, bantimeMs, now);
}
