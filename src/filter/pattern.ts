// One fail2ban pattern compiled for matching: tags expanded, translated from Python `re` to RE2
// exactly where the syntax allows, otherwise an RE2 superset whose hits a bounded backtracking
// matcher confirms (pyre/). A pattern that cannot be compiled is a problem naming file and line.
// Matching runs on libre2 through native-regex.ts when the addon is built, else on node-re2.

import type { ConfigProblem } from '../core/errors.ts';
import { fieldGroup } from '../core/field-names.ts';
import type { PatternSource } from '../core/types.ts';
import { groupsReader, type LaneGates, type NativeMatcher } from './native-regex.ts';
import { type Confirmer, scopeInlineFlags, translate } from './pyre/index.ts';

/** Named groups as Python captures them: undefined for a group that did not take part. */
export type Groups = Record<string, string | undefined>;

/** Where a pattern matched (UTF-16 offsets into the searched text) and what it captured. */
export interface Hit {
  readonly groups: Groups;
  readonly start: number;
  readonly end: number;
}

export interface Pattern {
  /** Python `re.search` semantics. */
  search(text: string): Hit | undefined;
  /** Set for an exact translation on libre2: what a lane (lane.ts) runs instead of search(). */
  readonly lane?: LanePattern;
}

/**
 * A pattern on libre2 as a lane runs it: search() is its literal check, then its matcher. For an
 * exact translation the lane's match is search()'s (`hit` reads it); for one the bounded fallback
 * confirms (`confirms`), the matcher is its RE2 superset, and a line the superset accepts is left
 * to search().
 */
export type LanePattern = LaneGates &
  (
    | {
        readonly matcher: NativeMatcher;
        /** The literal every match contains ('' for none), checked first. */
        readonly literal: string;
        readonly confirms?: false;
        /** The Hit search() returns for a match of `text` whose spans sit in `spans` from `at`. */
        hit(text: string, spans: Int32Array, at: number): Hit;
      }
    | { readonly matcher: NativeMatcher; readonly literal: string; readonly confirms: true }
  );

/** Patterns that needed the bounded fallback, with the constructs that forced it. */
export interface Fallback {
  readonly pattern: PatternSource;
  readonly constructs: readonly string[];
}

/** Shared by every pattern of a filter: lines the bounded fallback gave up on. */
export class Limits {
  hits = 0;
}

export interface PatternContext {
  readonly problems: ConfigProblem[];
  readonly fallbacks: Fallback[];
  readonly limits: Limits;
}

/**
 * Compiles `python` (the pattern `p` with its tags expanded). `multiline` is fail2ban's
 * re.MULTILINE, set on failregex when the filter buffers several lines (maxlines > 1).
 */
export function compilePattern(
  p: PatternSource,
  python: string,
  option: string,
  ctx: PatternContext,
  multiline = false,
): Pattern | undefined {
  const fail = (message: string) => {
    ctx.problems.push({ file: p.file, line: p.line, option, message: `${message}: "${p.pattern}"` });
    return undefined;
  };
  // fail2ban rewrites `((?i)X)` into `(?i:X)` before compiling; stock postfix.conf relies on it.
  const scoped = scopeInlineFlags(python);
  // A leading global flag group is Python's own spelling of re.compile(..., re.MULTILINE).
  const t = translate(multiline ? `(?m)${scoped}` : scoped);
  if (t.kind === 'error') return fail(t.message);
  // translate() compiled the source: on libre2 (`native`), or on node-re2 (`re`) when libre2
  // refused it or the addon is not built.
  const { native, node: re } = t;
  const merge = alternatesOf(python);
  const literal = t.literal;
  const gates: LaneGates = { gate: t.gate, lead: t.lead };
  if (t.kind === 'exact') {
    if (native) return exactNative(native, literal, gates, merge);
    const node = re!;
    return {
      search(text) {
        // Cheapest first: a substring check, then RE2's yes/no, and only then the capturing exec,
        // which costs several times more than the test (it builds the groups).
        if (!text.includes(literal) || !node.test(text)) return undefined;
        const m = node.exec(text);
        if (!m) return undefined;
        return { groups: merge((m.groups ?? {}) as Groups), start: m.index, end: m.index + m[0].length };
      },
    };
  }
  ctx.fallbacks.push({ pattern: p, constructs: t.constructs });
  const confirm: Confirmer = t.confirm;
  const superset = (native ?? re)!;
  return {
    search(text) {
      // RE2 first: only lines the superset accepts pay for the backtracking confirmation.
      if (!text.includes(literal) || !superset.test(text)) return undefined;
      const r = confirm.search(text);
      if (r === 'limit') {
        ctx.limits.hits++;
        return undefined;
      }
      return r ? { groups: merge(r.groups), start: r.index, end: r.end } : undefined;
    },
    // A lane runs the superset; a line it accepts is confirmed by search() (lane.ts).
    ...(native ? { lane: { matcher: native, literal, confirms: true, ...gates } } : {}),
  };
}

function exactNative(
  native: NativeMatcher,
  literal: string,
  gates: LaneGates,
  merge: (groups: Groups) => Groups,
): Pattern {
  const spans = native.spans;
  const groupsOf = groupsReader(native.names);
  const hit = (text: string, at: Int32Array, from: number): Hit => ({
    groups: merge(groupsOf(text, at, from)),
    start: at[from]!,
    end: at[from + 1]!,
  });
  return {
    search(text) {
      // The substring check first; then one exec, whose DFA pass is RE2's test: a line it misses
      // costs what test() would, and a hit leaves its spans in `spans` without a result object.
      if (!text.includes(literal) || !native.exec(text, 0, text.length)) return undefined;
      return hit(text, spans, 0);
    },
    lane: { matcher: native, literal, hit, ...gates },
  };
}

// fail2ban's alternate captures: <F-ALT_USER> fills `user` when <F-USER> captured nothing. The
// name after `alt_` loses a trailing `_N` only (alt_user_2 → user; alt_user1 → user1).
const ALTERNATE = /^alt_(.*?)(?:_\d+)?$/;

function alternatesOf(python: string): (groups: Groups) => Groups {
  const pairs: [string, string][] = [];
  for (const [, name] of python.matchAll(/\(\?P<(\w+)>/g)) {
    const m = ALTERNATE.exec(name!);
    if (m && name!.length > 'alt_'.length) pairs.push([name!, fieldGroup(m[1]!)]);
  }
  if (pairs.length === 0) return (groups) => groups;
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (groups) => {
    for (const [alt, target] of pairs) {
      const v = groups[alt];
      if (v && !groups[target]) groups[target] = v;
    }
    return groups;
  };
}
