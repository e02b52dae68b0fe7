// Reads the documents `nft -j list …` prints (nft 1.0.6, JSON schema 1); pure, no I/O.
// Anything it does not recognise is skipped rather than thrown: read-back reports what the
// kernel holds, and a foreign element in our set is not a reason to fail a listing.

import type { KernelElement } from '../ban/ports.ts';
import { parseAddress } from '../core/address.ts';

function entries(doc: unknown): Record<string, unknown>[] {
  const list = (doc as { nftables?: unknown } | null)?.nftables;
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
}

/** Handles of the rules in a `list chain` document whose comment is exactly `comment`. */
export function ruleHandles(doc: unknown, comment: string): number[] {
  return entries(doc).flatMap((e) => {
    const rule = e.rule as { comment?: unknown; handle?: unknown } | undefined;
    return rule?.comment === comment && typeof rule.handle === 'number' ? [rule.handle] : [];
  });
}

/** The elements of a `list set` document; `expires` is whole seconds, so precision is 1 s. */
export function setElements(doc: unknown): KernelElement[] {
  return entries(doc).flatMap((e) => {
    const elems = (e.set as { elem?: unknown } | undefined)?.elem;
    return Array.isArray(elems) ? elems.flatMap((raw) => toElement(raw) ?? []) : [];
  });
}

// An element without a timeout prints as a bare string; a timed one as
// { elem: { val, timeout, expires } }.
function toElement(raw: unknown): KernelElement | undefined {
  const elem =
    typeof raw === 'string'
      ? { val: raw }
      : (raw as { elem?: { val?: unknown; expires?: unknown } } | null)?.elem;
  const address = typeof elem?.val === 'string' ? parseAddress(elem.val) : undefined;
  if (address === undefined) return undefined;
  const expires = (elem as { expires?: unknown }).expires;
  return { address, expiresInMs: typeof expires === 'number' ? expires * 1000 : null };
}
