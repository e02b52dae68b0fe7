// Python `re` character semantics for str patterns: which code points '.', a literal, a class and
// \d \w \s accept, with IGNORECASE and ASCII. Unicode mode is Python 3.11's, checked over every
// code point against unicodedata 14.0: \w = L|N|'_', \d = Nd, \s = [\t-\r\x1c-\x1f\x85] ∪ Z.
// JS property tables may be a newer Unicode version; case folding uses simple one-to-one mappings.

import type { Category, ClassItem, Flags, Node } from './ast.ts';

export type CharTest = (cp: number) => boolean;

const UNI: Record<Category, RegExp> = {
  d: /^\p{Nd}$/u,
  w: /^[\p{L}\p{N}_]$/u,
  s: /^[\t-\r\x1c-\x1f\x85\p{Z}]$/u,
};
const ASCII: Record<Category, CharTest> = {
  d: (cp) => cp >= 48 && cp <= 57,
  w: (cp) => (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95,
  s: (cp) => (cp >= 9 && cp <= 13) || cp === 32,
};

export function inCategory(cp: number, cat: Category, ascii: boolean): boolean {
  if (ascii || cp < 128) return ASCII[cat](cp);
  return UNI[cat].test(String.fromCodePoint(cp));
}

/** Python's word character for \b and \B. */
export const isWord = (cp: number, ascii: boolean): boolean => inCategory(cp, 'w', ascii);

function single(s: string, cp: number): number {
  const out = s.codePointAt(0)!;
  // A full mapping that expands (ß → SS) has no one-to-one counterpart; the character stands.
  return s.length === String.fromCodePoint(out).length ? out : cp;
}

export function lower(cp: number): number {
  if (cp < 128) return cp >= 65 && cp <= 90 ? cp + 32 : cp;
  // İ: JS applies SpecialCasing (i + combining dot); sre's simple mapping gives plain i.
  if (cp === 0x130) return 0x69;
  return single(String.fromCodePoint(cp).toLowerCase(), cp);
}

export function upper(cp: number): number {
  if (cp < 128) return cp >= 97 && cp <= 122 ? cp - 32 : cp;
  return single(String.fromCodePoint(cp).toUpperCase(), cp);
}

/** Code points that (?i) treats as the same character; ASCII mode folds ASCII letters only. */
export function variants(cp: number, ascii: boolean): number[] {
  if (ascii) return cp < 128 ? [...new Set([cp, lower(cp), upper(cp)])] : [cp];
  return [...new Set([cp, lower(cp), upper(cp), lower(upper(cp))])];
}

function itemTest(items: readonly ClassItem[], ascii: boolean): CharTest {
  return (cp) =>
    items.some((it) =>
      it.kind === 'range' ? cp >= it.lo && cp <= it.hi : inCategory(cp, it.cat, ascii) !== it.negated,
    );
}

/** Memoises ASCII answers: nearly every log character is ASCII, and tests run per step. */
function tabled(test: CharTest): CharTest {
  const table = new Uint8Array(128);
  for (let cp = 0; cp < 128; cp++) table[cp] = test(cp) ? 1 : 0;
  return (cp) => (cp < 128 ? table[cp] === 1 : test(cp));
}

function folded(test: CharTest, flags: Flags): CharTest {
  if (!flags.i) return test;
  return (cp) => variants(cp, flags.a).some(test);
}

/** The character test of a one-character node (char, class, any); undefined for other nodes. */
export function charTest(node: Node): CharTest | undefined {
  switch (node.type) {
    case 'char': {
      if (!node.flags.i) return tabled((c) => c === node.cp);
      // Same character when the two fold orbits meet: K (Kelvin sign) and k, ſ and s.
      const orbit = new Set(variants(node.cp, node.flags.a));
      return tabled((c) => variants(c, node.flags.a).some((v) => orbit.has(v)));
    }
    case 'class': {
      const inner = folded(itemTest(node.items, node.flags.a), node.flags);
      return tabled(node.negated ? (cp) => !inner(cp) : inner);
    }
    case 'any':
      return node.flags.s ? () => true : (cp) => cp !== 10;
    default:
      return undefined;
  }
}
