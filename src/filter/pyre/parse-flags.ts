// Inline flag groups and group names of Python `re` (3.11, str patterns): (?aiLmsux), (?flags:...),
// (?-flags:...) and their refusals as re/_parser.py's _parse_flags words them. (?L) is refused as
// Python refuses it for str patterns; (?t) (template, deprecated) is refused as unsupported.

import type { Flags } from './ast.ts';
import { PatternError } from './ast.ts';

export const FLAG_CHARS = new Set(['i', 'L', 'm', 's', 'x', 'a', 't', 'u']);
// Python's str.isidentifier(), near enough: XID_Start or '_' then XID_Continue.
export const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

interface Cursor {
  readonly cps: readonly string[];
  pos: number;
}

function fail(message: string, at: number): never {
  throw new PatternError(message, at + 1);
}

/** A group name up to `terminator`; Python's checks unless `identifier` is false. */
export function groupName(c: Cursor, terminator: string, identifier = true): string {
  const at = c.pos;
  let s = '';
  for (;;) {
    const ch = c.cps[c.pos++];
    if (ch === undefined) fail(s ? `missing ${terminator}, unterminated name` : 'missing group name', at);
    if (ch === terminator) break;
    s += ch;
  }
  if (s === '') fail('missing group name', at);
  if (identifier && !IDENTIFIER.test(s)) fail(`bad character in group name '${s}'`, at);
  return s;
}

const unknown = (c: string, otherwise: string) => (/\p{L}/u.test(c) ? 'unknown flag' : otherwise);

/** Flags after '(?' (first flag `ch` already read): global when closed by ')', else scoped by ':'. */
export function parseFlags(
  c: Cursor,
  ch: string,
  start: number,
): { global: boolean; on: ReadonlySet<string>; off: ReadonlySet<string> } {
  const on = new Set<string>();
  const off = new Set<string>();
  let f: string | undefined = ch;
  if (f !== '-') {
    for (;;) {
      if (f === 'L') fail("bad inline flags: cannot use 'L' flag with a str pattern", c.pos);
      if (f === 't') fail("bad inline flags: the template flag 't' is not supported", c.pos);
      on.add(f);
      if (on.has('a') && on.has('u'))
        fail("bad inline flags: flags 'a', 'u' and 'L' are incompatible", c.pos);
      f = c.cps[c.pos++];
      if (f === undefined) fail('missing -, : or )', c.pos);
      if (f === ')' || f === '-' || f === ':') break;
      if (!FLAG_CHARS.has(f)) fail(unknown(f, 'missing -, : or )'), c.pos);
    }
  }
  if (f === ')') return { global: true, on, off };
  if (f === '-') {
    f = c.cps[c.pos++];
    if (f === undefined) fail('missing flag', c.pos);
    if (!FLAG_CHARS.has(f)) fail(unknown(f, 'missing flag'), c.pos);
    for (;;) {
      if (f === 'a' || f === 'u' || f === 'L')
        fail("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", c.pos);
      if (f === 't') fail('bad inline flags: cannot turn off global flag', c.pos);
      off.add(f);
      f = c.cps[c.pos++];
      if (f === undefined) fail('missing :', c.pos);
      if (f === ':') break;
      if (!FLAG_CHARS.has(f)) fail(unknown(f, 'missing :'), c.pos);
    }
  }
  for (const x of on) if (off.has(x)) fail('bad inline flags: flag turned on and off', start);
  return { global: false, on, off };
}

/** `flags` with those turned on and off; 'a' and 'u' choose ASCII or Unicode classes. */
export function applyFlags(flags: Flags, on: ReadonlySet<string>, off: ReadonlySet<string>): Flags {
  const set = (f: 'i' | 'm' | 's') => (on.has(f) ? true : off.has(f) ? false : flags[f]);
  return { i: set('i'), m: set('m'), s: set('s'), a: on.has('a') ? true : on.has('u') ? false : flags.a };
}
