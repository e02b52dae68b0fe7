// Translates a fail2ban (Python `re`) pattern for RE2: 'exact' when RE2 can match it as Python
// would, otherwise 'confirm' with an RE2 superset plus a bounded Python-semantics matcher, or
// 'error' when Python itself would refuse the pattern. Every emitted source is compiled once here
// so a translation RE2 cannot take is an error at load, never at match time: on libre2 through the
// addon, whose program the translation then carries (compiled once, not once here and again to
// match), and on node-re2 only where libre2 refuses it or the addon is not built.

import { requirePackage } from '../../core/require-package.ts';
import { type LaneGates, type NativeMatcher, nativeMatcher } from '../native-regex.ts';
import { PatternError } from './ast.ts';
import { type Confirmer, confirmer } from './confirm.ts';
import { emit } from './emit.ts';
import { repeatsEmpty } from './empty-repeat.ts';
import { anchoredLead } from './lead.ts';
import { requiredAnyOf, requiredLiteral } from './literals.ts';
import { parse } from './parse.ts';
import { compile } from './program.ts';

const nodeRe2 = () => requirePackage('re2') as typeof import('re2');

export type Translation =
  /**
   * An RE2 pattern with the same matches and the same named-group captures. `literal`: a string
   * every match contains ('' when none), for a substring check before RE2. `repeatsEmpty`: it
   * repeats something that can match empty (empty-repeat.ts), so only RE2 may read its groups.
   */
  | ({ kind: 'exact'; source: string; literal: string; repeatsEmpty: boolean } & LaneGates & Compiled)
  /** An RE2 superset; a superset match must be confirmed (and its groups taken) from `confirm`. */
  | ({
      kind: 'confirm';
      source: string;
      literal: string;
      confirm: Confirmer;
      constructs: string[];
    } & LaneGates &
      Compiled)
  | { kind: 'error'; message: string; column?: number };

/** A translation's source compiled: by libre2 (`native`), or by node-re2 where libre2 refused it. */
type Compiled = { native: NativeMatcher; node?: undefined } | { native?: undefined; node: import('re2') };

/**
 * `source` compiled by libre2 (with PCRE2 reading groups when `fastCaptures`), else by node-re2;
 * node-re2's message when neither compiles it. A source libre2 compiles means the same to node-re2
 * (native-regex.ts).
 */
function compiled(source: string, fastCaptures: boolean): Compiled | { error: string } {
  const native = nativeMatcher(source, { fastCaptures });
  if (native) return { native };
  try {
    return { node: new (nodeRe2())(source) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Translates one Python regular expression (fail2ban tags such as <HOST> already expanded). */
export function translate(python: string): Translation {
  try {
    const pattern = parse(python);
    const literal = requiredLiteral(pattern.root);
    const gates: LaneGates = { gate: requiredAnyOf(pattern.root), lead: anchoredLead(pattern.root) };
    const exact = emit(pattern, false);
    if (exact.constructs.length === 0) {
      // PCRE2 may read the groups only of a translation that repeats nothing that can match empty.
      const empty = repeatsEmpty(pattern.root);
      const c = compiled(exact.source, !empty);
      if ('error' in c) return { kind: 'error', message: `RE2 cannot compile the translation: ${c.error}` };
      return { kind: 'exact', source: exact.source, literal, repeatsEmpty: empty, ...gates, ...c };
    }
    const superset = emit(pattern, true);
    const c = compiled(superset.source, false);
    if ('error' in c) return { kind: 'error', message: `RE2 cannot compile the translation: ${c.error}` };
    return {
      kind: 'confirm',
      source: superset.source,
      literal,
      confirm: confirmer(compile(pattern)),
      constructs: [...exact.constructs],
      ...gates,
      ...c,
    };
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    return err.column === undefined
      ? { kind: 'error', message: err.message }
      : { kind: 'error', message: err.message, column: err.column };
  }
}

/**
 * fail2ban's rewrite of a global flag group inside a group, `((?i)x)` or `(?:(?i)x)`, into the
 * scoped `(?i:x)`: Python 3.11 refuses global flags after the start, and fail2ban applies this
 * (R_GLOB2LOCFLAGS in failregex.py) before compiling. Stock filters rely on it (postfix.conf).
 */
export function scopeInlineFlags(regex: string): string {
  return regex.replace(/(?<!\\)\((?:\?:)?(\(\?[a-z]+)\)/g, '$1:');
}
