// The bytes a match of a pattern anchored at the start of the text can begin with, position by
// position: `^\s[+-]\d{4} ` admits a whitespace byte, then + or -, then four digits, then a space.
// Checking a line's first bytes against these sets is a few nanoseconds; asking RE2 to say no is
// a hundred or more (3proxy's only literal is a space, in every line: lane.cc runs it on each).

import type { Node } from './ast.ts';
import { charTest } from './charset.ts';

/** Positions a lead covers at most. */
const MAX_LEAD = 8;
/** Bytes per position: a 256-bit set. */
export const LEAD_BYTES = 32;

/**
 * For a pattern every match of which starts at the start of the text (a leading ^ or \A, not
 * MULTILINE), the set of bytes each of its first positions admits, LEAD_BYTES a position, or
 * undefined when none narrower than every byte is known. Bytes from 0x80 up are always admitted:
 * the sets speak of ASCII text, and a non-ASCII byte is left to RE2.
 */
export function anchoredLead(root: Node): Uint8Array | undefined {
  const items = root.type === 'seq' ? root.items : [root];
  const first = items[0];
  if (first?.type !== 'assert' || !(first.kind === 'start' || (first.kind === 'bol' && !first.flags.m)))
    return undefined;
  const sets: Uint8Array[] = [];
  let narrow = false;
  const add = (node: Node): boolean => {
    const test = charTest(node);
    if (!test || node.type === 'any') return false;
    const set = new Uint8Array(LEAD_BYTES).fill(0);
    for (let b = 0; b < 256; b++) if (b >= 0x80 || test(b)) set[b >> 3]! |= 1 << (b & 7);
    if (set.some((byte) => byte !== 0xff)) narrow = true;
    sets.push(set);
    return sets.length < MAX_LEAD;
  };
  for (const item of items.slice(1)) {
    if (item.type === 'repeat' && item.min >= 1 && charTest(item.body)) {
      // The body `min` times for sure; after that, a variable count leaves the positions unknown.
      let going = true;
      for (let k = 0; k < item.min && going; k++) going = add(item.body);
      if (!going || item.max !== item.min) break;
      continue;
    }
    if (!add(item)) break;
  }
  if (!narrow) return undefined;
  const lead = new Uint8Array(sets.length * LEAD_BYTES);
  for (const [i, set] of sets.entries()) lead.set(set, i * LEAD_BYTES);
  return lead;
}
