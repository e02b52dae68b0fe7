// Quantifiers of Python `re`: * + ? {m} {m,} {,n} {m,n}, each lazy (?) or possessive (+), applied to
// the last item as re/_parser.py does: a '{' that is not a well-formed count is a literal, and an
// anchor or another quantifier cannot be repeated.

import type { Flags, Node } from './ast.ts';
import { PatternError } from './ast.ts';

const MAXREPEAT = 4294967295;
const DIGITS = /^[0-9]$/;

interface Cursor {
  readonly cps: readonly string[];
  pos: number;
}

function fail(message: string, at: number): never {
  throw new PatternError(message, at + 1);
}

function eat(c: Cursor, ch: string): boolean {
  if (c.cps[c.pos] !== ch) return false;
  c.pos++;
  return true;
}

/** Applies the quantifier `q` (read at `start`) to the last of `items`, or adds a literal '{'. */
export function parseRepeat(c: Cursor, items: Node[], q: string, start: number, flags: Flags): void {
  let min = q === '+' ? 1 : 0;
  let max = q === '?' ? 1 : Infinity;
  if (q === '{') {
    const digits = () => {
      let s = '';
      while (DIGITS.test(c.cps[c.pos] ?? '')) s += c.cps[c.pos++];
      return s;
    };
    const lo = c.cps[c.pos] === '}' ? undefined : digits();
    const hi = lo === undefined ? undefined : eat(c, ',') ? digits() : lo;
    if (lo === undefined || hi === undefined || !eat(c, '}')) {
      c.pos = start + 1;
      items.push({ type: 'char', cp: 123, flags });
      return;
    }
    min = lo === '' ? 0 : Number(lo);
    max = hi === '' ? Infinity : Number(hi);
    if (min >= MAXREPEAT || (max !== Infinity && max >= MAXREPEAT)) {
      fail('the repetition number is too large', start);
    }
    if (max < min) fail('min repeat greater than max repeat', start);
  }
  const last = items[items.length - 1];
  if (last === undefined || last.type === 'assert') fail('nothing to repeat', start);
  if (last.type === 'repeat') fail('multiple repeat', start);
  const mode = eat(c, '?') ? 'lazy' : eat(c, '+') ? 'possessive' : 'greedy';
  items[items.length - 1] = { type: 'repeat', min, max, mode, body: last };
}
