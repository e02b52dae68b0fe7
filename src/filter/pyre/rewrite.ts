// Proven rewrites of constructs RE2 lacks, used by the emitter before it falls back to a superset.
// Each holds for every input, not just typical lines:
//  - (?=C) / (?!C) over single characters is redundant when every character that can come next
//    is (is not) in C and the match cannot end there, because the look-ahead then always holds;
//  - X*+ over one character equals X* when nothing that can follow is an X, since giving back
//    characters could never help;
//  - (?!lit1|lit2) at the end of the pattern equals an RE2 alternation over a trie of the
//    literals: the text ends, or differs from every literal before any literal is complete;
//  - \b and \B between characters known to be word (or non-word) characters are constant, and at
//    the end of the pattern after a known character they ask for one class of next character.

import type { Follow } from './analyze.ts';
import type { Flags, Node } from './ast.ts';
import { type CharTest, charTest, isWord, lower, upper } from './charset.ts';

const MAX_ENUMERATED = 256;
// The trie alternation grows with the literals; fail2ban's longest (postfix.conf) is 74 characters.
const MAX_LITERAL_CHARS = 256;
const isLeaf = (n: Node) => n.type === 'char' || n.type === 'class' || n.type === 'any';

/** Every code point a one-character node accepts, when few and independent of case folding. */
function finite(leaf: Node): number[] | undefined {
  const uncased = (cp: number) => lower(cp) === cp && upper(cp) === cp;
  if (leaf.type === 'char') return !leaf.flags.i || uncased(leaf.cp) ? [leaf.cp] : undefined;
  if (leaf.type !== 'class' || leaf.negated) return undefined;
  const out: number[] = [];
  for (const it of leaf.items) {
    if (it.kind !== 'range' || out.length + it.hi - it.lo >= MAX_ENUMERATED) return undefined;
    for (let cp = it.lo; cp <= it.hi; cp++) out.push(cp);
  }
  return leaf.flags.i && !out.every(uncased) ? undefined : out;
}

/** No character is accepted by both leaves (decided by enumerating whichever side is finite). */
function disjoint(a: Node, b: Node): boolean {
  const [ta, tb] = [charTest(a)!, charTest(b)!];
  const fa = finite(a);
  if (fa) return fa.every((cp) => !tb(cp));
  const fb = finite(b);
  return fb?.every((cp) => !ta(cp)) === true;
}

function branches(body: Node): readonly Node[] {
  if (body.type === 'alt') return body.alts;
  if (body.type === 'scoped') return branches(body.body);
  return [body];
}

/** A look-ahead that always holds wherever the rest of the pattern can match. */
export function redundantLook(look: Node & { type: 'look' }, next: Follow | undefined): boolean {
  if (look.behind || next === undefined || next.nullable || next.first === 'any') return false;
  const alts = branches(look.body);
  const leaves = alts.filter(isLeaf);
  if (look.negated) {
    return leaves.length === alts.length && next.first.every((f) => leaves.every((l) => disjoint(f, l)));
  }
  // Zero-width branches (such as $) may be ignored: one character branch holding suffices.
  if (!alts.every((a) => isLeaf(a) || a.type === 'assert')) return false;
  const tests: CharTest[] = leaves.map((l) => charTest(l)!);
  return next.first.every((f) => finite(f)?.every((cp) => tests.some((t) => t(cp))) === true);
}

/** A possessive repeat of one character that behaves exactly like the greedy one. */
export function possessiveIsGreedy(rep: Node & { type: 'repeat' }, next: Follow | undefined): boolean {
  if (!isLeaf(rep.body) || next === undefined || next.nullable || next.first === 'any') return false;
  return next.first.every((f) => disjoint(f, rep.body));
}

interface Trie {
  terminal: boolean;
  readonly children: Map<number, { readonly cp: number; readonly node: Trie }>;
}

function literals(body: Node): { words: number[][]; flags: Flags } | undefined {
  const words: number[][] = [];
  let flags: Flags | undefined;
  for (const alt of branches(body)) {
    const chars = alt.type === 'seq' ? alt.items : alt.type === 'empty' ? [] : [alt];
    const word: number[] = [];
    for (const c of chars) {
      if (c.type !== 'char' || (flags && flags.i !== c.flags.i)) return undefined;
      // Under (?i) only ASCII letters fold the same way in Python and RE2.
      if (c.flags.i && c.cp > 127 && (lower(c.cp) !== c.cp || upper(c.cp) !== c.cp)) return undefined;
      flags = c.flags;
      word.push(c.cp);
    }
    words.push(word);
  }
  const size = words.reduce((n, w) => n + w.length, 0);
  return flags && size <= MAX_LITERAL_CHARS ? { words, flags } : undefined;
}

/** An RE2-expressible node equal to a trailing (?!literal|...), or undefined. */
export function notPrefix(look: Node & { type: 'look' }): Node | undefined {
  if (look.behind || !look.negated) return undefined;
  const lits = literals(look.body);
  if (!lits) return undefined;
  const { flags } = lits;
  const root: Trie = { terminal: false, children: new Map() };
  for (const word of lits.words) {
    let t = root;
    for (const cp of word) {
      const key = flags.i ? lower(cp) : cp;
      let child = t.children.get(key);
      if (!child) {
        child = { cp, node: { terminal: false, children: new Map() } };
        t.children.set(key, child);
      }
      t = child.node;
    }
    t.terminal = true;
  }
  const build = (t: Trie): Node => {
    // A complete literal here makes the look-ahead fail: a class that matches nothing.
    if (t.terminal)
      return { type: 'class', negated: true, items: [{ kind: 'range', lo: 0, hi: 0x10ffff }], flags };
    const items = [...t.children.values()].map((c) => ({ kind: 'range' as const, lo: c.cp, hi: c.cp }));
    const alts: Node[] = [
      { type: 'assert', kind: 'end', flags },
      { type: 'class', negated: true, items, flags },
    ];
    for (const c of t.children.values()) {
      if (!c.node.terminal)
        alts.push({ type: 'seq', items: [{ type: 'char', cp: c.cp, flags }, build(c.node)] });
    }
    return { type: 'alt', alts };
  };
  return build(root);
}

type Side = 'word' | 'nonword' | 'mixed';

/** Whether a leaf accepts only word characters, only others, or both, by the boundary's `ascii`. */
function wordness(leaf: Node, ascii: boolean): Side {
  const of = (cps: number[]): Side => {
    const w = cps.filter((cp) => isWord(cp, ascii)).length;
    return w === cps.length ? 'word' : w === 0 ? 'nonword' : 'mixed';
  };
  const f = finite(leaf);
  if (f) return of(f);
  if (leaf.type === 'char') return of([leaf.cp]);
  if (leaf.type !== 'class') return 'mixed';
  // An ASCII \w is a word class for either definition; a Unicode one only for Unicode \b.
  const sameOrNarrower = leaf.flags.a || !ascii;
  if (leaf.negated) {
    const excludesWords = leaf.items.some((it) => it.kind === 'category' && it.cat === 'w' && !it.negated);
    return excludesWords && (!leaf.flags.a || ascii) ? 'nonword' : 'mixed';
  }
  const sides = leaf.items.map((it): Side => {
    if (it.kind === 'range') return it.hi - it.lo < 256 ? of(range(it.lo, it.hi)) : 'mixed';
    if (it.cat === 's') return it.negated ? 'mixed' : 'nonword';
    if (it.negated) return it.cat === 'w' && (!leaf.flags.a || ascii) ? 'nonword' : 'mixed';
    return sameOrNarrower ? 'word' : 'mixed';
  });
  return sides.every((x) => x === sides[0]) ? sides[0]! : 'mixed';
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
}

function side(f: Follow | undefined, ascii: boolean): Side {
  if (!f || f.nullable || f.first === 'any' || f.first.length === 0) return 'mixed';
  const sides = new Set(f.first.map((l) => wordness(l, ascii)));
  return sides.size === 1 ? [...sides][0]! : 'mixed';
}

/**
 * An exact form of a \b or \B from its neighbours: 'always', 'never', a node to consume at the end
 * of the pattern, or undefined when the characters around it are not known well enough.
 */
export function boundary(
  node: Node & { type: 'assert' },
  prev: Follow | undefined,
  next: Follow | undefined,
  tail: boolean,
): 'always' | 'never' | Node | undefined {
  const { flags } = node;
  const before = side(prev, flags.a);
  const after = side(next, flags.a);
  if (before === 'mixed') return undefined;
  const wantWord = (before === 'word') === (node.kind === 'nonboundary');
  if (after !== 'mixed') return (after === 'word') === wantWord ? 'always' : 'never';
  if (!tail) return undefined;
  const word: Node = {
    type: 'class',
    negated: false,
    items: [{ kind: 'category', cat: 'w', negated: false }],
    flags,
  };
  if (wantWord) return word;
  // A non-word character, or the end of the text (which sre treats as a non-word neighbour).
  const other: Node = {
    type: 'class',
    negated: false,
    items: [{ kind: 'category', cat: 'w', negated: true }],
    flags,
  };
  return { type: 'alt', alts: [other, { type: 'assert', kind: 'end', flags }] };
}
