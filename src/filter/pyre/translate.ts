// Translates a fail2ban (Python `re`) pattern for RE2: 'exact' when RE2 can match it as Python
// would, otherwise 'confirm' with an RE2 superset plus a bounded Python-semantics matcher, or
// 'error' when Python itself would refuse the pattern. Every emitted source is compiled once here
// so a translation RE2 cannot take is an error at load, never at match time.

import { requirePackage } from '../../core/require-package.ts';
import { PatternError } from './ast.ts';
import { type Confirmer, confirmer } from './confirm.ts';
import { emit } from './emit.ts';
import { repeatsEmpty } from './empty-repeat.ts';
import { requiredLiteral } from './literals.ts';
import { parse } from './parse.ts';
import { compile } from './program.ts';

const RE2 = requirePackage('re2') as typeof import('re2');

export type Translation =
  /**
   * An RE2 pattern with the same matches and the same named-group captures. `literal`: a string
   * every match contains ('' when none), for a substring check before RE2. `repeatsEmpty`: it
   * repeats something that can match empty (empty-repeat.ts), so only RE2 may read its groups.
   */
  | { kind: 'exact'; source: string; literal: string; repeatsEmpty: boolean }
  /** An RE2 superset; a superset match must be confirmed (and its groups taken) from `confirm`. */
  | { kind: 'confirm'; source: string; literal: string; confirm: Confirmer; constructs: string[] }
  | { kind: 'error'; message: string; column?: number };

function rejected(source: string): string | undefined {
  try {
    new RE2(source);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Translates one Python regular expression (fail2ban tags such as <HOST> already expanded). */
export function translate(python: string): Translation {
  try {
    const pattern = parse(python);
    const literal = requiredLiteral(pattern.root);
    const exact = emit(pattern, false);
    if (exact.constructs.length === 0) {
      const why = rejected(exact.source);
      if (why) return { kind: 'error', message: `RE2 cannot compile the translation: ${why}` };
      return { kind: 'exact', source: exact.source, literal, repeatsEmpty: repeatsEmpty(pattern.root) };
    }
    const superset = emit(pattern, true);
    const why = rejected(superset.source);
    if (why) return { kind: 'error', message: `RE2 cannot compile the translation: ${why}` };
    return {
      kind: 'confirm',
      source: superset.source,
      literal,
      confirm: confirmer(compile(pattern)),
      constructs: [...exact.constructs],
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
