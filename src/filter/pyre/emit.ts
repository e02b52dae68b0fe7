// Emits RE2 syntax for a parsed pattern. Everything RE2 can say exactly is said exactly (Python's
// Unicode \d \w \s spelled as RE2 classes). At the end of the pattern, where nothing follows, a
// look-ahead may consume, an atomic group or possessive repeat equals the plain one, and $ is \n?\z.
// Other constructs RE2 lacks go to rewrite.ts, and failing that are loosened into a superset and
// named in `constructs`: look-arounds dropped, backreferences copied, conditionals as alternation.

import { type Follow, neighbours, widthOf } from './analyze.ts';
import type { Flags, Node, Pattern } from './ast.ts';
import { PatternError } from './ast.ts';
import { asciiFolded, cased, classText, literal, turkishFolded } from './emit-class.ts';
import { boundary, notPrefix, possessiveIsGreedy, redundantLook } from './rewrite.ts';

export interface Emitted {
  readonly source: string;
  /** Constructs that were loosened; empty when `source` is exact. */
  readonly constructs: readonly string[];
}

type Ctx = Readonly<Pick<Flags, 'i' | 'm' | 's'>>;
/** Emitting the copy of a group for a backreference: no captures, no assertions. */
interface Copy {
  readonly i: boolean;
}

// An RE2 class that matches nothing: where Python's pattern can never match.
const NOTHING = '[^\\x{0}-\\x{10FFFF}]';
// RE2 refuses counts above 1000; a larger count is relaxed to an open bound.
const RE2_MAX_REPEAT = 1000;
// Beyond this a translation is refused rather than built (RE2 would refuse it as too large).
const MAX_SOURCE = 100_000;
// A backreference's copy of its group beyond this becomes "any text" (still a superset).
const MAX_COPY = 2_000;

/**
 * RE2 source for `pattern` and the constructs it could not express exactly. With `superset`, the
 * \b and \B that RE2 cannot decide (Python's are Unicode-aware, RE2's ASCII-only) are dropped, so
 * the source provably matches every text Python's pattern matches.
 */
export function emit(pattern: Pattern, superset: boolean): Emitted {
  const e = new Emitter(pattern, superset);
  const g = pattern.flags;
  const top: Ctx = { i: g.i && !g.a, m: g.m, s: g.s };
  const prefix = (['i', 'm', 's'] as const).filter((f) => top[f]).join('');
  const body = e.node(pattern.root, top, true, undefined);
  return { source: (prefix ? `(?${prefix})` : '') + body, constructs: [...e.constructs] };
}

function wrap(text: string, need: Partial<Ctx>, ctx: Ctx): string {
  let on = '';
  let off = '';
  for (const f of ['i', 'm', 's'] as const) {
    const want = need[f];
    if (want !== undefined && want !== ctx[f]) {
      if (want) on += f;
      else off += f;
    }
  }
  if (!on && !off) return text;
  return `(?${on}${off ? `-${off}` : ''}:${text})`;
}

function quantifier(min: number, max: number): string {
  if (max === Infinity) return min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
  if (min === 0 && max === 1) return '?';
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

class Emitter {
  readonly constructs = new Set<string>();
  private readonly follow: Map<Node, Follow>;
  private readonly prev: Map<Node, Follow>;
  /** The whole pattern can match an empty text. */
  private readonly nullable: boolean;
  /** The pattern has named groups, whose captures an exact translation must reproduce. */
  private readonly named: boolean;
  private readonly bodies = new Map<number, Node>();
  private readonly copies = new Map<string, string>();

  constructor(
    pattern: Pattern,
    private readonly superset: boolean,
  ) {
    this.follow = neighbours(pattern.root, 'next');
    this.prev = neighbours(pattern.root, 'prev');
    this.nullable = widthOf(pattern.root, [])[0] === 0;
    this.named = pattern.names.size > 0;
    const collect = (n: Node): void => {
      if (n.type === 'group') this.bodies.set(n.index, n.body);
      if ('body' in n) collect(n.body);
      if (n.type === 'seq') n.items.forEach(collect);
      if (n.type === 'alt') n.alts.forEach(collect);
      if (n.type === 'cond') [n.yes, n.no].forEach(collect);
    };
    collect(pattern.root);
  }

  /** `tail`: nothing of the pattern can follow this node, and no capture encloses it. */
  node(n: Node, ctx: Ctx, tail: boolean, copy: Copy | undefined): string {
    const text = this.text(n, ctx, tail, copy);
    if (text.length > MAX_SOURCE) throw new PatternError('pattern too large once translated for RE2');
    return text;
  }

  private text(n: Node, ctx: Ctx, tail: boolean, copy: Copy | undefined): string {
    const i = (f: Flags) => (f.i && !f.a) || (copy?.i ?? false);
    switch (n.type) {
      case 'empty':
        return '';
      case 'char':
      case 'class': {
        // RE2's (?i) folds Unicode (k also matches the Kelvin sign); under (?ai) Python folds ASCII
        // letters only, so those are spelled out ([kK]) and matched with RE2's (?i) off. Unicode
        // (?i) differs from RE2's only for the Turkish i's, which are added explicitly.
        const leaf = !n.flags.i || copy ? n : n.flags.a ? asciiFolded(n) : turkishFolded(n);
        const c = leaf.type === 'char' ? { text: literal(leaf.cp), exact: true } : classText(leaf);
        if (!c.exact) this.loosen('negated class with \\W or \\S');
        return cased(leaf) ? wrap(c.text, { i: i(leaf.flags) }, ctx) : c.text;
      }
      case 'any':
        return wrap('.', { s: n.flags.s }, ctx);
      case 'assert':
        return copy ? '' : this.assertion(n, ctx, tail);
      case 'seq': {
        let last = n.items.length - 1;
        while (last > 0 && n.items[last]!.type === 'empty') last--;
        return n.items
          .map((it, k) => {
            const text = this.node(it, ctx, tail && k >= last, copy);
            // Python nests alternation only inside groups; rewrites may build it bare.
            return it.type === 'alt' ? `(?:${text})` : text;
          })
          .join('');
      }
      case 'alt':
        return n.alts.map((a) => this.node(a, ctx, tail, copy)).join('|');
      case 'group': {
        const body = this.node(n.body, ctx, false, copy);
        if (copy) return `(?:${body})`;
        return n.name === undefined ? `(${body})` : `(?P<${n.name}>${body})`;
      }
      case 'scoped': {
        const inner: Ctx = { i: i(n.flags), m: n.flags.m, s: n.flags.s };
        const text = this.node(n.body, inner, tail, copy);
        const flagged = wrap(text, inner, ctx);
        return flagged === text ? `(?:${text})` : flagged;
      }
      case 'atomic':
        // At the end of the pattern the first success of the body is the overall success anyway.
        if (!tail) this.loosen('atomic group');
        return `(?:${this.node(n.body, ctx, tail, copy)})`;
      case 'look':
        return copy ? '' : this.look(n, ctx, tail);
      case 'backref': {
        this.loosen('backreference');
        const forced: Copy = { i: i(n.flags) };
        const inner: Ctx = { ...ctx, i: ctx.i || forced.i };
        const key = `${n.index} ${forced.i} ${inner.i} ${inner.m} ${inner.s}`;
        // Memoised: a group copied twice per level would otherwise cost 2^levels.
        const body = this.copies.get(key) ?? this.node(this.bodies.get(n.index)!, inner, false, forced);
        this.copies.set(key, body);
        // Copies of copies can grow exponentially; any text at all is still a superset.
        if (body.length > MAX_COPY) return '(?s:.*)';
        return wrap(`(?:${body})`, inner, ctx);
      }
      case 'cond':
        this.loosen('conditional');
        return `(?:${this.node(n.yes, ctx, tail, copy)}|${this.node(n.no, ctx, tail, copy)})`;
      case 'repeat':
        return this.repeat(n, ctx, tail, copy);
    }
  }

  private loosen(construct: string): void {
    this.constructs.add(construct);
  }

  private assertion(n: Node & { type: 'assert' }, ctx: Ctx, tail: boolean): string {
    switch (n.kind) {
      case 'bol':
        return n.flags.m ? wrap('^', { m: true }, ctx) : ctx.m ? '\\A' : '^';
      case 'eol':
        if (n.flags.m) return wrap('$', { m: true }, ctx);
        // Python's $ also matches before a final newline; RE2's only at the very end.
        if (tail) return '\\n?\\z';
        this.loosen('$ before more pattern');
        return wrap('$', { m: true }, ctx);
      case 'start':
        return '\\A';
      case 'end':
        return '\\z';
      default: {
        const text = n.kind === 'boundary' ? '\\b' : '\\B';
        // RE2's \b is ASCII-only, like Python's under (?a); but sre's \B also fails on an empty text.
        if (n.flags.a && !(n.kind === 'nonboundary' && this.nullable)) return text;
        const exact = boundary(n, this.prev.get(n), this.follow.get(n), tail);
        if (exact === 'always') return '';
        if (exact === 'never') return NOTHING;
        if (exact) return `(?:${this.node(exact, ctx, false, undefined)})`;
        this.loosen(n.flags.a ? '\\B on an empty line' : 'word boundary beside unknown characters');
        // Under (?a) RE2's \B holds wherever sre's does (and on an empty text too): a superset.
        return this.superset && !n.flags.a ? '' : text;
      }
    }
  }

  private look(n: Node & { type: 'look' }, ctx: Ctx, tail: boolean): string {
    if (redundantLook(n, this.follow.get(n))) return '';
    if (tail && !n.behind && !n.negated) return `(?:${this.node(n.body, ctx, true, undefined)})`;
    const trie = tail ? notPrefix(n) : undefined;
    if (trie) return `(?:${this.node(trie, ctx, false, undefined)})`;
    this.loosen(`${n.negated ? 'negative' : 'positive'} look${n.behind ? 'behind' : 'ahead'}`);
    return '';
  }

  private repeat(n: Node & { type: 'repeat' }, ctx: Ctx, tail: boolean, copy: Copy | undefined): string {
    if (n.mode === 'possessive' && !(tail && n.min <= 1) && !possessiveIsGreedy(n, this.follow.get(n))) {
      this.loosen('possessive quantifier');
    }
    // sre ends a loop after an empty iteration, RE2 tries the next alternative instead: (?P<g>a?)+
    // on "aa" gives g = "" in Python, "a" in RE2, and ((?m:$)|.)+ stops at a newline only in
    // Python. Whether and where a match starts agree; which path it takes (the groups) need not.
    if (n.max > 1 && widthOf(n.body, [])[0] === 0 && this.named) {
      this.loosen('repeat that can match empty, with named groups');
    }
    let { min, max } = n;
    if (min > RE2_MAX_REPEAT || (max !== Infinity && max > RE2_MAX_REPEAT)) {
      this.loosen('repetition count above 1000');
      min = Math.min(min, RE2_MAX_REPEAT);
      if (max > RE2_MAX_REPEAT) max = Infinity;
    }
    const body = this.node(n.body, ctx, false, copy);
    const b = n.body.type;
    const atom =
      body !== '' && (b === 'char' || b === 'class' || b === 'any' || b === 'group' || b === 'scoped');
    return (atom ? body : `(?:${body})`) + quantifier(min, max) + (n.mode === 'lazy' ? '?' : '');
  }
}
