// Backslash escapes and character classes of Python `re` (3.11, str patterns), following
// re/_parser.py's _escape and _class_escape: which escapes exist, octal versus group-reference
// digits, exact-length \x \u \U, and the first ']' of a class being literal.

import type { ClassItem, Flags, Node } from './ast.ts';
import { PatternError } from './ast.ts';

/** The parser state escapes need: the pattern, a cursor, and group bookkeeping. */
export interface Cursor {
  readonly cps: readonly string[];
  pos: number;
  /** Validates a numeric group reference as Python does; throws PatternError. */
  groupRef(group: number, at: number): void;
}

const CONTROL: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
const CATEGORY = /^[dDsSwW]$/;
const OCTAL = /^[0-7]$/;
const DIGIT = /^[0-9]$/;
const HEX = /^[0-9a-fA-F]$/;
const LETTER = /^[A-Za-z]$/;

function fail(message: string, at: number): never {
  throw new PatternError(message, at + 1);
}

function take(c: Cursor, max: number, set: RegExp): string {
  let s = '';
  while (s.length < max && c.pos < c.cps.length && set.test(c.cps[c.pos]!)) s += c.cps[c.pos++];
  return s;
}

function hex(c: Cursor, letter: string, digits: number, at: number): number {
  const h = take(c, digits, HEX);
  if (h.length !== digits) fail(`incomplete escape \\${letter}${h}`, at);
  const cp = Number.parseInt(h, 16);
  if (cp > 0x10ffff) fail(`bad escape \\${letter}${h}`, at);
  return cp;
}

function categoryItem(letter: string): ClassItem {
  const lower = letter.toLowerCase() as 'd' | 's' | 'w';
  return { kind: 'category', cat: lower, negated: letter !== lower };
}

/** An escape outside a class; the backslash at `at` has been consumed. */
export function parseEscape(c: Cursor, flags: Flags, at: number): Node {
  const ch = c.cps[c.pos++];
  if (ch === undefined) return fail('bad escape (end of pattern)', at);
  switch (ch) {
    case 'A':
      return { type: 'assert', kind: 'start', flags };
    case 'Z':
      return { type: 'assert', kind: 'end', flags };
    case 'b':
      return { type: 'assert', kind: 'boundary', flags };
    case 'B':
      return { type: 'assert', kind: 'nonboundary', flags };
  }
  if (CATEGORY.test(ch)) return { type: 'class', negated: false, items: [categoryItem(ch)], flags };
  const cp = escapedChar(c, ch, at, false);
  if (cp !== undefined) return { type: 'char', cp, flags };
  // \1..\99: octal when three octal digits, otherwise a group reference (Python's "sigh").
  let digits = ch;
  const next = c.cps[c.pos];
  if (next !== undefined && DIGIT.test(next)) {
    digits += next;
    c.pos++;
    const third = c.cps[c.pos];
    if (OCTAL.test(ch) && OCTAL.test(next) && third !== undefined && OCTAL.test(third)) {
      c.pos++;
      const value = Number.parseInt(digits + third, 8);
      if (value > 0o377) fail(`octal escape value \\${digits}${third} outside of range 0-0o377`, at);
      return { type: 'char', cp: value, flags };
    }
  }
  const group = Number(digits);
  c.groupRef(group, at);
  return { type: 'backref', index: group, flags };
}

/**
 * The code point of an escape that denotes one character, or undefined for \1..\9 outside a
 * class (the caller decides between octal and group reference). Throws on unknown letters.
 */
function escapedChar(c: Cursor, ch: string, at: number, inClass: boolean): number | undefined {
  const control = CONTROL[ch];
  if (control !== undefined) return control;
  if (ch === 'x') return hex(c, 'x', 2, at);
  if (ch === 'u') return hex(c, 'u', 4, at);
  if (ch === 'U') return hex(c, 'U', 8, at);
  if (ch === 'N') return fail('\\N{...} named characters are not supported; use \\uXXXX', at);
  if (ch === '0' || (inClass && OCTAL.test(ch))) {
    const value = Number.parseInt(ch + take(c, 2, OCTAL), 8);
    if (value > 0o377) fail('octal escape value outside of range 0-0o377', at);
    return value;
  }
  if (DIGIT.test(ch)) return inClass ? fail(`bad escape \\${ch}`, at) : undefined;
  if (LETTER.test(ch)) return fail(`bad escape \\${ch}`, at);
  return ch.codePointAt(0)!;
}

type ClassCode = { kind: 'char'; cp: number } | { kind: 'item'; item: ClassItem };

function classCode(c: Cursor, tok: string, at: number): ClassCode {
  if (tok !== '\\') return { kind: 'char', cp: tok.codePointAt(0)! };
  const ch = c.cps[c.pos++];
  if (ch === undefined) return fail('unterminated character set', at);
  if (CATEGORY.test(ch)) return { kind: 'item', item: categoryItem(ch) };
  return { kind: 'char', cp: escapedChar(c, ch, at, true)! };
}

/** A character class; the '[' at `start` has been consumed. */
export function parseClass(c: Cursor, flags: Flags, start: number): Node {
  const items: ClassItem[] = [];
  const negated = c.cps[c.pos] === '^';
  if (negated) c.pos++;
  for (;;) {
    const at = c.pos;
    const tok = c.cps[c.pos++];
    if (tok === undefined) return fail('unterminated character set', start);
    // A ']' right after '[' or '[^' is a literal, as in Python.
    if (tok === ']' && items.length > 0) break;
    const first = classCode(c, tok, at);
    if (c.cps[c.pos] !== '-') {
      items.push(first.kind === 'char' ? { kind: 'range', lo: first.cp, hi: first.cp } : first.item);
      continue;
    }
    c.pos++;
    const thatAt = c.pos;
    const that = c.cps[c.pos++];
    if (that === undefined) return fail('unterminated character set', start);
    if (that === ']') {
      items.push(first.kind === 'char' ? { kind: 'range', lo: first.cp, hi: first.cp } : first.item);
      items.push({ kind: 'range', lo: 45, hi: 45 });
      break;
    }
    const second = classCode(c, that, thatAt);
    if (first.kind !== 'char' || second.kind !== 'char' || second.cp < first.cp) {
      return fail(`bad character range ${c.cps.slice(at, c.pos).join('')}`, at);
    }
    items.push({ kind: 'range', lo: first.cp, hi: second.cp });
  }
  return { type: 'class', negated, items, flags };
}
