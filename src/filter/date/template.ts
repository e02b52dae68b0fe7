// One date template compiled to RE2. fail2ban wraps each pattern in look-around word boundaries;
// RE2 has none, so the boundary character is consumed instead and the date is read from group 1,
// which finds the same dates at the same places. Every regex here is compiled once by node-re2 and,
// when the addon is built, by libre2 as well (native-regex.ts), which search.ts prefers: a user's
// datepattern at load, fail2ban's fixed default templates at their first use (compileRaw).

import { requirePackage } from '../../core/require-package.ts';
import { type NativeMatcher, nativeMatcher } from '../native-regex.ts';
import { regexShape } from './regex-shape.ts';
import { prefixClosure } from './viable.ts';

// node-re2 runs a template only without the addon (and in the tests that compare the two).
const nodeRe2 = () => requirePackage('re2') as typeof import('re2');
type RE2 = import('re2');

/** How a template turns its match into a time. */
export type Kind = 'strptime' | 'epoch' | 'lepoch' | 'tai64n' | 'none';

export interface Template {
  readonly name: string;
  /** fail2ban's preference: 100 for the line-start copies of the defaults, otherwise 1. */
  readonly weight: number;
  /** Anchored at the line start or end: fail2ban stops searching when such a template matches. */
  readonly anchored: boolean;
  readonly kind: Kind;
  /** Flags `gd`: lastIndex positions the search, indices give group 1 (the date's extent). */
  readonly re: RE2;
  /** The same search without its line-start alternative, for a search that begins after character 0. */
  readonly inner: RE2 | undefined;
  /** Characters of the line the match can reach when it is anchored at the start; else Infinity. */
  readonly reach: number;
  /** Named groups in Python's groupdict order. */
  readonly names: readonly string[];
  /**
   * The field each of `names` reports: a template that needs one field in several branches names
   * the copies m_2, m_3, which report as m.
   */
  readonly fields: readonly string[];
  /** `re` and `inner` on libre2; undefined without the addon or when libre2 refuses either. */
  readonly native: NativeTemplate | undefined;
}

export interface NativeTemplate {
  readonly re: NativeMatcher;
  readonly inner: NativeMatcher | undefined;
  /** Group number by name (the same in both). */
  readonly index: ReadonlyMap<string, number>;
  /** Group number of each of the template's `names`, in order; -1 for a name libre2 does not know. */
  readonly slots: readonly number[];
  /**
   * For a template with a finite reach: its prefix closure (viable.ts) on libre2, leftmost-longest,
   * compiled at its first use (most templates never need it); otherwise undefined.
   */
  closure(): NativeMatcher | undefined;
}

const WORD = '\\pL\\pN_';
// Python's `(?=^|\b|\W)` before a date: the previous character is not a word character, or the date's
// own first character is not one. RE2's \b is ASCII-only, so non-ASCII neighbours are told apart here.
const BEFORE = `(?-i:[^${WORD}]|[0-9A-Za-z_]\\b|[^\\x00-\\x7f]\\B)`;
// Python's `(?=\b|\W|$)` after a date, consuming the next character instead of looking at it.
const AFTER = `(?-i:$|[^${WORD}]|\\b[0-9A-Za-z_]|\\B[^\\x00-\\x7f])`;
// fail2ban's {^LN-BEG}: the date starts the line, after at most two non-word characters.
const LINE_START = `^(?-i:[^${WORD}]){0,2}`;

export interface PatternSpec {
  readonly name: string;
  /** RE2 syntax with the %-directives already replaced. */
  readonly regex: string;
  readonly ignoreCase: boolean;
  /** word: fail2ban's default word-start boundary; line: {^LN-BEG}; none: {UNB}. */
  readonly begin: 'word' | 'line' | 'none';
  /** Add the word-end boundary (false under {UNB}). */
  readonly end: boolean;
  readonly kind: Kind;
  readonly weight?: number;
}

export interface RawSpec {
  readonly name: string;
  /** Complete RE2 source; group 1 is the date. */
  readonly source: string;
  readonly inner?: string;
  readonly anchored: boolean;
  readonly kind: Kind;
  readonly weight?: number;
}

// A leading `^`, or `**` (fail2ban's "no boundary here" marker), after any opening groups and flags.
const startsUnbounded = (r: string) => /^(?:\((?:\?:|\?[a-zA-Z]+\))?)*(?:\^|\*\*)/.test(r);
// A trailing `$`, `\b`, `\s`, or `**` before closing parentheses, none of them escaped.
const endsUnbounded = (r: string) => /(?:^|[^\\])(?:\$\)?|\\[bs]|\*\*\)*)$/.test(r);

/**
 * Compiles a datepattern-style template, applying fail2ban's boundary and grouping rules. `lazy`:
 * see compileRaw.
 */
export function compilePattern(spec: PatternSpec, lazy = false): Template | { error: string } {
  let r = spec.regex.trim();
  // fail2ban lifts the first inline flag group to the front; Python-only flags have no RE2 meaning.
  let flags = spec.ignoreCase ? 'i' : '';
  const inline = /\(\?([a-zA-Z]+)\)/.exec(r);
  if (inline) {
    r = r.slice(0, inline.index) + r.slice(inline.index + inline[0].length);
    flags += inline[1]!.replace(/[uaL]/g, '');
  }
  const begin = spec.begin !== 'none' && !startsUnbounded(r);
  const end = spec.end && !endsUnbounded(r);
  r = r.replace(/^((?:\((?:\?:)?)*)\*\*/, '$1').replace(/(^|[^\\])\*\*(\)*)$/, '$1$2');
  if (regexShape(r).unnamed === 0) {
    // Group 1 is the date; a leading ^ and a trailing $ stay outside it.
    const lead = r.startsWith('^') ? '^' : '';
    const trail = /(?:^|[^\\])(?:\\\\)*\$$/.test(r) && r.length > lead.length ? '$' : '';
    r = `${lead}(${r.slice(lead.length, r.length - trail.length)})${trail}`;
  }
  const prefix = flags === '' ? '' : `(?${[...new Set(flags)].join('')})`;
  const tail = end ? AFTER : '';
  const lineStart = begin && spec.begin === 'line';
  const head = begin ? (lineStart ? LINE_START : `(?:^|${BEFORE})`) : '';
  const anchored = lineStart || /^(?:\^|\((?:\?:)?\^(?!\|))/.test(r) || /(?:^|[^\\|])\$\)?$/.test(r);
  return compileRaw(
    {
      name: spec.name,
      source: prefix + head + r + tail,
      ...(begin && !lineStart ? { inner: prefix + BEFORE + r + tail } : {}),
      anchored,
      kind: spec.kind,
      weight: spec.weight ?? 1,
    },
    lazy,
  );
}

/**
 * User datepatterns repeat a separator with a backreference, `(?P<_sep>[-/.])%m(?P=_sep)`, which
 * RE2 lacks. When the group is one character class, both places take the class: a date with mixed
 * separators ("2026-11/27") then reads too, which no log writes, and every real date still does.
 */
function sameSeparatorAsClass(source: string): string {
  let out = source;
  for (const m of source.matchAll(/\(\?P<(\w+)>(\[(?:\\.|[^\]\\])+\])\)/g)) {
    const [group, name, cls] = m as unknown as [string, string, string];
    if (!out.includes(`(?P=${name})`)) continue;
    out = out.replace(group, cls).replaceAll(`(?P=${name})`, cls);
  }
  return out;
}

/**
 * Compiles a template whose RE2 source is written out in full (the epoch and TAI64N forms). `lazy`
 * (fail2ban's default templates, whose sources are fixed and tested): compile the regexes at their
 * first use instead, as a log needs one or two of the thirty-one and compiling all of them took
 * a third of `banctl regex`'s start; `re`, `inner` and `native` are then getters, each compiled once.
 */
export function compileRaw(raw: RawSpec, lazy = false): Template | { error: string } {
  const spec = {
    ...raw,
    source: sameSeparatorAsClass(raw.source),
    ...(raw.inner === undefined ? {} : { inner: sameSeparatorAsClass(raw.inner) }),
  };
  try {
    const t = new CompiledTemplate(spec);
    // node-re2 compiles first: its errors are the ones reported (and a lazy template's are none).
    if (!lazy) void [t.re, t.inner, t.native];
    return t;
  } catch (err) {
    return { error: `${(err as Error).message} in "${spec.name}"` };
  }
}

// A class, not a literal with getters: V8 keeps a class instance's properties fast, where a literal
// with accessors becomes a dictionary (20 ns a read on the hot path).
class CompiledTemplate implements Template {
  readonly name: string;
  readonly weight: number;
  readonly anchored: boolean;
  readonly kind: Kind;
  readonly reach: number;
  readonly names: readonly string[];
  readonly fields: readonly string[];
  readonly #spec: RawSpec;
  readonly #bounded: boolean;
  #re: RE2 | undefined;
  #inner: RE2 | null | undefined;
  #native: NativeTemplate | null | undefined;

  constructor(spec: RawSpec) {
    this.#spec = spec;
    const shape = regexShape(spec.source);
    const body = spec.source.replace(/^\(\?[a-zA-Z]+\)/, '');
    this.#bounded = body.startsWith('^') && !shape.topLevelAlternative && Number.isFinite(shape.maxLength);
    this.name = spec.name;
    this.weight = spec.weight ?? 1;
    this.anchored = spec.anchored;
    this.kind = spec.kind;
    // Two UTF-16 units per code point, plus the character after the match that the boundary reads.
    this.reach = this.#bounded ? 2 * shape.maxLength + 4 : Infinity;
    this.names = shape.names;
    this.fields = shape.names.map((name) => name.replace(/_\d+$/, ''));
  }

  get re(): RE2 {
    this.#re ??= new (nodeRe2())(this.#spec.source, 'gd');
    return this.#re;
  }

  get inner(): RE2 | undefined {
    const source = this.#spec.inner;
    if (this.#inner === undefined) this.#inner = source === undefined ? null : new (nodeRe2())(source, 'gd');
    return this.#inner ?? undefined;
  }

  get native(): NativeTemplate | undefined {
    if (this.#native === undefined) {
      const { source, inner } = this.#spec;
      this.#native = nativeOf(source, inner, this.names, this.#bounded) ?? null;
    }
    return this.#native ?? undefined;
  }
}

/**
 * `t` without its libre2 programs: the template as the filter runs it when the addon is not built
 * (the tests compare the two).
 */
export function onNodeRe2(t: Template): Template {
  const { name, weight, anchored, kind, re, inner, reach, names, fields } = t;
  return { name, weight, anchored, kind, re, inner, reach, names, fields, native: undefined };
}

function nativeOf(
  source: string,
  innerSource: string | undefined,
  names: readonly string[],
  bounded: boolean,
): NativeTemplate | undefined {
  const re = nativeMatcher(source);
  const inner = innerSource === undefined ? undefined : nativeMatcher(innerSource);
  if (!re || (innerSource !== undefined && !inner)) return undefined;
  // Both forms differ only in a non-capturing head, so their groups are numbered alike.
  if (inner && inner.names.join() !== re.names.join()) return undefined;
  const index = new Map<string, number>();
  re.names.forEach((name, i) => {
    if (name !== '') index.set(name, i);
  });
  let closure: NativeMatcher | null | undefined = bounded ? undefined : null;
  return {
    re,
    inner,
    index,
    slots: names.map((name) => index.get(name) ?? -1),
    closure() {
      if (closure === undefined) {
        const pattern = prefixClosure(source);
        closure = (pattern === undefined ? undefined : nativeMatcher(pattern, { longest: true })) ?? null;
      }
      return closure ?? undefined;
    },
  };
}

/** The boundary pieces, for templates written out in full. */
export const bounded = { after: AFTER, lineStart: LINE_START } as const;
