// RE2 spellings of literals and character classes with Python's meaning. Python's Unicode \w \d \s
// become RE2 property classes (RE2's own \w \d \s are ASCII, and its \s lacks \v); (?a) spells them
// as ASCII ranges. A negated class containing Unicode \W or \S has no RE2 spelling (RE2 cannot
// intersect classes), so it is loosened to a superset and reported as inexact.

import type { Category, ClassItem, Node } from './ast.ts';
import { lower, upper } from './charset.ts';

const META = new Set([...'\\.+*?()|[]{}^$']);
const CLASS_META = new Set([...'\\[]^-']);

const hex = (cp: number) => `\\x{${cp.toString(16).toUpperCase()}}`;
const printable = (cp: number) => cp >= 0x20 && cp < 0x7f;

/** One character outside a class. */
export function literal(cp: number): string {
  if (!printable(cp)) return hex(cp);
  const c = String.fromCharCode(cp);
  return META.has(c) ? `\\${c}` : c;
}

function classChar(cp: number): string {
  if (!printable(cp)) return hex(cp);
  const c = String.fromCharCode(cp);
  return CLASS_META.has(c) ? `\\${c}` : c;
}

/** Spliceable class contents for a category, or undefined for Unicode \W and \S. */
const UNICODE: Record<Category, string> = {
  d: '\\p{Nd}',
  w: '\\p{L}\\p{N}_',
  s: '\\t-\\r\\x{1C}-\\x{1F}\\x{85}\\p{Z}',
};
const ASCII_RANGES: Record<Category, [number, number][]> = {
  d: [[48, 57]],
  w: [
    [48, 57],
    [65, 90],
    [95, 95],
    [97, 122],
  ],
  s: [
    [9, 13],
    [32, 32],
  ],
};

function ranges(list: readonly [number, number][]): string {
  return list.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('');
}

function complement(list: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of list) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

function itemText(it: ClassItem, ascii: boolean): string | undefined {
  if (it.kind === 'range') return ranges([[it.lo, it.hi]]);
  if (ascii) return ranges(it.negated ? complement(ASCII_RANGES[it.cat]) : ASCII_RANGES[it.cat]);
  if (!it.negated) return UNICODE[it.cat];
  return it.cat === 'd' ? '\\P{Nd}' : undefined;
}

/** Whether (?i) can change what the node accepts (only letters and other cased characters). */
export function cased(node: Node): boolean {
  const has = (lo: number, hi: number) => {
    if (hi > 127) return true;
    for (let cp = lo; cp <= hi; cp++) if (lower(cp) !== cp || upper(cp) !== cp) return true;
    return false;
  };
  if (node.type === 'char') return has(node.cp, node.cp);
  if (node.type !== 'class') return false;
  return node.items.some((it) => it.kind === 'range' && has(it.lo, it.hi));
}

/** A class in RE2 syntax; `exact` is false when it had to be widened. */
export function classText(node: Node & { type: 'class' }): { text: string; exact: boolean } {
  const pieces: string[] = [];
  const outside: string[] = [];
  for (const it of node.items) {
    const t = itemText(it, node.flags.a);
    if (t !== undefined) pieces.push(t);
    else if (it.kind === 'category') outside.push(`[^${UNICODE[it.cat]}]`);
  }
  const inner = pieces.join('');
  if (!node.negated) {
    // A bare \p{Nd} or \P{Nd} needs no brackets.
    const single = pieces.length === 1 && /^\\[pP]\{\w+\}$/.test(inner) ? inner : undefined;
    const parts = [...(inner ? [single ?? `[${inner}]`] : []), ...outside];
    return { text: parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`, exact: true };
  }
  if (outside.length === 0) return { text: `[^${inner}]`, exact: true };
  // [^\W] is \w and [^\S] is \s; anything more is an intersection RE2 cannot spell.
  const only = node.items[0];
  if (node.items.length === 1 && only?.kind === 'category')
    return { text: `[${UNICODE[only.cat]}]`, exact: true };
  return { text: inner ? `[^${inner}]` : '[\\x{0}-\\x{10FFFF}]', exact: false };
}

/** A char or class under (?ai) as a class of both ASCII cases, to be matched case-sensitively. */
export function asciiFolded(node: Node & { type: 'char' | 'class' }): Node & { type: 'char' | 'class' } {
  const items = node.type === 'char' ? [{ kind: 'range' as const, lo: node.cp, hi: node.cp }] : node.items;
  const extra: ClassItem[] = [];
  for (const it of items) {
    if (it.kind !== 'range') continue;
    // The part of the range within A-Z (a-z) gains its a-z (A-Z) counterpart.
    for (const [from, to, shift] of [
      [65, 90, 32],
      [97, 122, -32],
    ] as const) {
      const lo = Math.max(it.lo, from);
      const hi = Math.min(it.hi, to);
      if (lo <= hi) extra.push({ kind: 'range', lo: lo + shift, hi: hi + shift });
    }
  }
  const flags = { ...node.flags, i: false };
  if (extra.length === 0) return { ...node, flags };
  return {
    type: 'class',
    negated: node.type === 'class' && node.negated,
    items: [...items, ...extra],
    flags,
  };
}

// Python's (?i) puts I, i, İ and ı in one class (sre folds through lower() and upper()); RE2's
// folding keeps I/i apart from İ and ı.
const DOTTED = [0x49, 0x69, 0x130, 0x131];

/** A char or class under Unicode (?i) with the Turkish i's added where Python would accept them. */
export function turkishFolded(node: Node & { type: 'char' | 'class' }): Node & { type: 'char' | 'class' } {
  const items = node.type === 'char' ? [{ kind: 'range' as const, lo: node.cp, hi: node.cp }] : node.items;
  const has = (cp: number) => items.some((it) => it.kind === 'range' && cp >= it.lo && cp <= it.hi);
  if (!DOTTED.some(has)) return node;
  const extra = DOTTED.filter((cp) => !has(cp)).map((cp) => ({ kind: 'range' as const, lo: cp, hi: cp }));
  return {
    type: 'class',
    negated: node.type === 'class' && node.negated,
    items: [...items, ...extra],
    flags: node.flags,
  };
}
