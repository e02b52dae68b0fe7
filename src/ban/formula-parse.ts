// Parses the Python expression subset of bantime.formula into a tree whose names are already
// resolved against the whitelist, so evaluation never looks anything up. Precedence follows
// Python's grammar; nesting is capped so a hostile formula cannot exhaust the stack.

import { CONSTANTS, FUNCTIONS } from './formula-functions.ts';
import { ParseFault, type Token, tokenize } from './formula-lex.ts';
import type { ArithOp, Value } from './formula-num.ts';

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type UnaryOp = '-' | '+' | '~' | 'not';

/** An expression tree; `column` is 1-based, for runtime errors. */
export type Node =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'variable'; readonly slot: number }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly operand: Node; readonly column: number }
  | {
      readonly kind: 'arith';
      readonly op: ArithOp;
      readonly a: Node;
      readonly b: Node;
      readonly column: number;
    }
  | { readonly kind: 'and' | 'or'; readonly a: Node; readonly b: Node }
  | {
      readonly kind: 'compare';
      readonly first: Node;
      readonly rest: ReadonlyArray<readonly [CompareOp, Node]>;
    }
  | { readonly kind: 'if'; readonly test: Node; readonly then: Node; readonly otherwise: Node }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[]; readonly column: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'if', 'else', 'in', 'is', 'lambda', 'None']);
const COMPARE = new Set<string>(['<', '<=', '>', '>=', '==', '!=']);
// Python's levels from `|` to the multiplicative operators, loosest first.
const LEVELS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['|']),
  new Set(['^']),
  new Set(['&']),
  new Set(['<<', '>>']),
  new Set(['+', '-']),
  new Set(['*', '/', '//', '%']),
];
const MAX_DEPTH = 100;

/** Parses `text`; `variables` maps each allowed dotted name to its slot in the evaluator. */
export function parse(text: string, variables: ReadonlyMap<string, number>): Node {
  const p = new Parser(tokenize(text), variables);
  const tree = p.test();
  p.expectEnd();
  return tree;
}

class Parser {
  #at = 0;
  #depth = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly variables: ReadonlyMap<string, number>,
  ) {}

  private peek(): Token {
    return this.tokens[this.#at]!;
  }
  private take(): Token {
    return this.tokens[this.#at++]!;
  }
  private accept(text: string): Token | undefined {
    const t = this.peek();
    return t.type !== 'number' && t.text === text ? this.take() : undefined;
  }
  private expect(text: string): void {
    if (!this.accept(text)) this.unexpected(`expected "${text}"`);
  }
  private unexpected(expectation?: string): never {
    const t = this.peek();
    const found = t.type === 'end' ? 'end of formula' : `"${t.text}"`;
    throw new ParseFault(expectation ? `${expectation}, found ${found}` : `unexpected ${found}`, t.column);
  }
  expectEnd(): void {
    if (this.peek().type !== 'end') this.unexpected();
  }

  /** Runs a nested production, refusing to recurse deeper than MAX_DEPTH. */
  private nested<T>(production: () => T): T {
    if (++this.#depth > MAX_DEPTH) throw new ParseFault('formula nested too deeply', this.peek().column);
    try {
      return production();
    } finally {
      this.#depth--;
    }
  }

  /** Python's `test`: an or-expression, optionally `x if cond else y`. */
  test(): Node {
    const then = this.or();
    if (!this.accept('if')) return then;
    const test = this.or();
    this.expect('else');
    const otherwise = this.nested(() => this.test());
    return { kind: 'if', test, then, otherwise };
  }

  private or(): Node {
    let a = this.and();
    while (this.accept('or')) a = { kind: 'or', a, b: this.and() };
    return a;
  }

  private and(): Node {
    let a = this.not();
    while (this.accept('and')) a = { kind: 'and', a, b: this.not() };
    return a;
  }

  private not(): Node {
    const t = this.accept('not');
    if (!t) return this.compare();
    return { kind: 'unary', op: 'not', operand: this.nested(() => this.not()), column: t.column };
  }

  private compare(): Node {
    const first = this.binary(0);
    const rest: Array<readonly [CompareOp, Node]> = [];
    while (this.peek().type === 'op' && COMPARE.has(this.peek().text)) {
      const op = this.take().text as CompareOp;
      rest.push([op, this.binary(0)]);
    }
    return rest.length === 0 ? first : { kind: 'compare', first, rest };
  }

  private binary(level: number): Node {
    const ops = LEVELS[level];
    if (!ops) return this.unary();
    let a = this.binary(level + 1);
    while (this.peek().type === 'op' && ops.has(this.peek().text)) {
      const t = this.take();
      a = { kind: 'arith', op: t.text as ArithOp, a, b: this.binary(level + 1), column: t.column };
    }
    return a;
  }

  private unary(): Node {
    const t = this.peek();
    if (t.type !== 'op' || (t.text !== '-' && t.text !== '+' && t.text !== '~')) return this.power();
    this.take();
    const operand = this.nested(() => this.unary());
    return { kind: 'unary', op: t.text as UnaryOp, operand, column: t.column };
  }

  /** `**` binds tighter than a unary minus on its left and is right-associative. */
  private power(): Node {
    const a = this.primary();
    const t = this.accept('**');
    if (!t) return a;
    return { kind: 'arith', op: '**', a, b: this.nested(() => this.unary()), column: t.column };
  }

  private primary(): Node {
    const t = this.peek();
    if (t.type === 'number') {
      this.take();
      const value: Value = /^\d+$/.test(t.text) ? BigInt(t.text) : Number(t.text);
      return { kind: 'literal', value };
    }
    if (this.accept('(')) {
      const inner = this.nested(() => this.test());
      this.expect(')');
      return inner;
    }
    if (t.type !== 'name' || KEYWORDS.has(t.text)) this.unexpected();
    return this.named();
  }

  /** A dotted name: a whitelisted variable or constant, or a whitelisted function's call. */
  private named(): Node {
    const start = this.take();
    let name = start.text;
    while (this.accept('.')) {
      const part = this.take();
      if (part.type !== 'name') throw new ParseFault('expected a name after "."', part.column);
      name += `.${part.text}`;
    }
    const known = this.variables.has(name) || CONSTANTS.has(name);
    if (this.accept('(')) {
      const f = FUNCTIONS.get(name);
      if (!f)
        throw new ParseFault(known ? `${name} is not a function` : `unknown function ${name}`, start.column);
      const args: Node[] = [];
      while (!this.accept(')')) {
        args.push(this.nested(() => this.test()));
        if (!this.accept(',')) {
          this.expect(')');
          break;
        }
      }
      if (args.length < f.minArgs || args.length > f.maxArgs) {
        const wanted =
          f.minArgs === f.maxArgs
            ? `${f.minArgs}`
            : f.maxArgs === Number.POSITIVE_INFINITY
              ? `at least ${f.minArgs}`
              : `${f.minArgs} or ${f.maxArgs}`;
        const noun = wanted === '1' ? 'argument' : 'arguments';
        throw new ParseFault(`${name}() takes ${wanted} ${noun}, got ${args.length}`, start.column);
      }
      return { kind: 'call', name, args, column: start.column };
    }
    const slot = this.variables.get(name);
    if (slot !== undefined) return { kind: 'variable', slot };
    const constant = CONSTANTS.get(name);
    if (constant !== undefined) return { kind: 'literal', value: constant };
    if (FUNCTIONS.has(name)) throw new ParseFault(`${name} is a function and must be called`, start.column);
    throw new ParseFault(`unknown name ${name}`, start.column);
  }
}
