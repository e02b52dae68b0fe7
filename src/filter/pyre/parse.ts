// Parses a Python 3.11 `re` pattern (a str pattern) into the AST of ast.ts, accepting and refusing
// what Python's re/_parser.py does, with its messages and a 1-based column. Recursive descent whose
// nesting is capped at MAX_DEPTH, so a hostile pattern cannot exhaust the stack of the parser, the
// emitter or the matcher (all recurse over the same tree).

import type { Width } from './analyze.ts';
import { widthOf } from './analyze.ts';
import type { Flags, Node, Pattern } from './ast.ts';
import { NO_FLAGS, PatternError } from './ast.ts';
import { type Cursor, parseClass, parseEscape } from './parse-escape.ts';
import { applyFlags, FLAG_CHARS, groupName, IDENTIFIER, parseFlags } from './parse-flags.ts';
import { parseRepeat } from './parse-repeat.ts';

const MAX_DEPTH = 100;
const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\v', '\f']);

/** Parses `source`; throws PatternError for anything Python's `re.compile` would refuse. */
export function parse(source: string): Pattern {
  const p = new Parser(source);
  const root = p.alternation(NO_FLAGS, false, 0);
  if (p.pos < p.cps.length) p.fail('unbalanced parenthesis', p.pos);
  for (const [group, at] of p.condRefs) if (group > p.groups) p.fail(`invalid group reference ${group}`, at);
  return { root, groups: p.groups, names: p.names, flags: p.global };
}

class Parser implements Cursor {
  readonly cps: readonly string[];
  pos = 0;
  groups = 0;
  readonly names = new Map<string, number>();
  readonly condRefs: [number, number][] = [];
  global: Flags = NO_FLAGS;
  globalVerbose = false;
  /** Width of each closed group; undefined while open. */
  private readonly widths: (Width | undefined)[] = [undefined];
  /** Groups numbered at or above this were opened inside the current look-behind. */
  private lookbehindFrom: number | undefined;

  constructor(source: string) {
    this.cps = Array.from(source);
  }

  fail(message: string, at: number): never {
    throw new PatternError(message, at + 1);
  }

  private eat(ch: string): boolean {
    if (this.cps[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  groupRef(group: number, at: number): void {
    if (group > this.groups) this.fail(`invalid group reference ${group}`, at);
    if (this.widths[group] === undefined) this.fail('cannot refer to an open group', at);
    if (this.lookbehindFrom !== undefined && group >= this.lookbehindFrom) {
      this.fail('cannot refer to group defined in the same lookbehind subpattern', at);
    }
  }

  /** a|b|c up to ')' or the end. */
  alternation(flags: Flags, verbose: boolean, depth: number): Node {
    if (depth > MAX_DEPTH) this.fail(`groups nested deeper than ${MAX_DEPTH}`, this.pos);
    const alts = [this.sequence(flags, verbose, depth, depth === 0)];
    while (this.eat('|')) {
      // Global flags at the very start apply to every later branch of the pattern.
      const [f, v] = depth === 0 ? [this.global, this.globalVerbose] : [flags, verbose];
      alts.push(this.sequence(f, v, depth, false));
    }
    return alts.length === 1 ? alts[0]! : { type: 'alt', alts };
  }

  sequence(flags: Flags, verbose: boolean, depth: number, first: boolean): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.cps[this.pos];
      if (c === undefined || c === '|' || c === ')') break;
      const start = this.pos++;
      if (verbose && WHITESPACE.has(c)) continue;
      if (verbose && c === '#') {
        while (this.pos < this.cps.length && this.cps[this.pos++] !== '\n');
        continue;
      }
      switch (c) {
        case '\\':
          items.push(parseEscape(this, flags, start));
          break;
        case '[':
          items.push(parseClass(this, flags, start));
          break;
        case '.':
          items.push({ type: 'any', flags });
          break;
        case '^':
          items.push({ type: 'assert', kind: 'bol', flags });
          break;
        case '$':
          items.push({ type: 'assert', kind: 'eol', flags });
          break;
        case '*':
        case '+':
        case '?':
        case '{':
          parseRepeat(this, items, c, start, flags);
          break;
        case '(': {
          const r = this.group(flags, verbose, depth, first && items.length === 0, start);
          if (r === 'global') {
            [flags, verbose] = [this.global, this.globalVerbose];
          } else if (r !== undefined) {
            items.push(r);
          }
          break;
        }
        default:
          items.push({ type: 'char', cp: c.codePointAt(0)!, flags });
      }
    }
    if (items.length === 0) return { type: 'empty' };
    return items.length === 1 ? items[0]! : { type: 'seq', items };
  }

  /** After '(': a node, nothing (comment), or 'global' when a leading (?flags) changed the flags. */
  private group(
    flags: Flags,
    verbose: boolean,
    depth: number,
    first: boolean,
    start: number,
  ): Node | 'global' | undefined {
    let capture = true;
    let name: string | undefined;
    let inner = flags;
    let innerVerbose = verbose;
    let kind: 'plain' | 'atomic' = 'plain';
    if (this.eat('?')) {
      const ch = this.cps[this.pos++];
      if (ch === undefined) this.fail('unexpected end of pattern', this.pos);
      if (ch === 'P') {
        if (this.eat('<')) {
          name = groupName(this, '>');
        } else if (this.eat('=')) {
          const at = this.pos;
          const ref = groupName(this, ')');
          const group = this.names.get(ref);
          if (group === undefined) this.fail(`unknown group name '${ref}'`, at);
          this.groupRef(group, at);
          return { type: 'backref', index: group, flags };
        } else {
          this.fail(`unknown extension ?P${this.cps[this.pos] ?? ''}`, start);
        }
      } else if (ch === ':') {
        capture = false;
      } else if (ch === '#') {
        while (this.cps[this.pos] !== ')') {
          if (this.pos >= this.cps.length) this.fail('missing ), unterminated comment', start);
          this.pos++;
        }
        this.pos++;
        return undefined;
      } else if (ch === '=' || ch === '!' || ch === '<') {
        return this.look(ch, flags, verbose, depth, start);
      } else if (ch === '(') {
        return this.conditional(flags, verbose, depth, start);
      } else if (ch === '>') {
        capture = false;
        kind = 'atomic';
      } else if (FLAG_CHARS.has(ch) || ch === '-') {
        const f = parseFlags(this, ch, start);
        if (f.global) {
          if (!first) this.fail('global flags not at the start of the expression', start);
          this.global = applyFlags(this.global, f.on, f.off);
          this.globalVerbose ||= f.on.has('x');
          return 'global';
        }
        inner = applyFlags(flags, f.on, f.off);
        innerVerbose = (verbose || f.on.has('x')) && !f.off.has('x');
        capture = false;
      } else {
        this.fail(`unknown extension ?${ch}`, start);
      }
    }
    let index = 0;
    if (capture) {
      index = ++this.groups;
      this.widths.push(undefined);
      if (name !== undefined) {
        const was = this.names.get(name);
        if (was !== undefined) {
          this.fail(`redefinition of group name '${name}' as group ${index}; was group ${was}`, start);
        }
        this.names.set(name, index);
      }
    }
    const body = this.alternation(inner, innerVerbose, depth + 1);
    if (!this.eat(')')) this.fail('missing ), unterminated subpattern', start);
    if (capture) {
      this.widths[index] = widthOf(body, this.widths);
      return { type: 'group', index, name, body };
    }
    return kind === 'atomic' ? { type: 'atomic', body } : { type: 'scoped', flags: inner, body };
  }

  private look(ch: string, flags: Flags, verbose: boolean, depth: number, start: number): Node {
    let behind = false;
    let sign = ch;
    if (ch === '<') {
      const next = this.cps[this.pos++];
      if (next !== '=' && next !== '!') this.fail(`unknown extension ?<${next ?? ''}`, start);
      [behind, sign] = [true, next];
    }
    const outer = this.lookbehindFrom;
    if (behind && outer === undefined) this.lookbehindFrom = this.groups + 1;
    const body = this.alternation(flags, verbose, depth + 1);
    this.lookbehindFrom = outer;
    if (!this.eat(')')) this.fail('missing ), unterminated subpattern', start);
    let width = 0;
    if (behind) {
      const [lo, hi] = widthOf(body, this.widths);
      if (lo !== hi) this.fail('look-behind requires fixed-width pattern', start);
      width = lo;
    }
    return { type: 'look', behind, negated: sign === '!', width, body };
  }

  private conditional(flags: Flags, verbose: boolean, depth: number, start: number): Node {
    const at = this.pos;
    const ref = groupName(this, ')', false);
    let index: number | undefined;
    if (!IDENTIFIER.test(ref)) {
      if (!/^[0-9]+$/.test(ref)) this.fail(`bad character in group name '${ref}'`, at);
      index = Number(ref);
      if (index === 0) this.fail('bad group number', at);
      this.condRefs.push([index, at]);
    } else {
      index = this.names.get(ref);
      if (index === undefined) this.fail(`unknown group name '${ref}'`, at);
    }
    if (this.lookbehindFrom !== undefined) this.groupRef(index, at);
    const yes = this.sequence(flags, verbose, depth + 1, false);
    const no = this.eat('|') ? this.sequence(flags, verbose, depth + 1, false) : ({ type: 'empty' } as const);
    if (this.cps[this.pos] === '|') this.fail('conditional backref with more than two branches', this.pos);
    if (!this.eat(')')) this.fail('missing ), unterminated subpattern', start);
    return { type: 'cond', index, yes, no };
  }
}
