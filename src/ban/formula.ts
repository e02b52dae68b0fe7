// bantime.formula, fail2ban's Python expression for a repeat offender's ban length: compiled once
// at config load into a tree over whitelisted names (no eval, no Function, no attribute access),
// then evaluated per ban. Evaluation is total: whatever Python would raise, and any non-finite
// result, comes back as an error value naming the column where it happened.

import { FUNCTIONS } from './formula-functions.ts';
import { ParseFault } from './formula-lex.ts';
import { arith, FormulaFault, order, toFloat, truthy, type Value } from './formula-num.ts';
import { type CompareOp, type Node, parse } from './formula-parse.ts';

/** fail2ban's default: the base time doubled per earlier ban, doubling stopping at 2^20. */
export const DEFAULT_FORMULA = 'ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor';
export const MAX_FORMULA_LENGTH = 1000;

/** What a formula may name. Whole numbers enter as Python ints, others as floats. */
export interface FormulaVars {
  /** `ban.Time`: the jail's bantime in seconds, the unit fail2ban evaluates in. */
  readonly time: number;
  /** `ban.Count`: how many earlier bans of the address the history holds. */
  readonly count: number;
  /** `banFactor`: bantime.factor. */
  readonly factor: number;
}

export type FormulaResult = { readonly value: number } | { readonly error: string };

export interface Formula {
  readonly source: string;
  evaluate(vars: FormulaVars): FormulaResult;
}

/** Why a formula did not compile; `column` is 1-based. */
export interface FormulaError {
  readonly error: string;
  readonly column: number;
}

const VARIABLES: ReadonlyMap<string, number> = new Map([
  ['ban.Time', 0],
  ['ban.Count', 1],
  ['banFactor', 2],
]);

/** Compiles `text`, or says what is wrong with it and where. */
export function compileFormula(text: string): Formula | FormulaError {
  const tree = parseBounded(text, VARIABLES);
  if ('error' in tree) return tree;
  return {
    source: text,
    evaluate: (vars) => run(tree.node, [python(vars.time), python(vars.count), python(vars.factor)]),
  };
}

/** Evaluates an expression that names no variables, such as bantime.factor's `2.0 / 2.885385`. */
export function evaluateConstant(text: string): FormulaResult {
  const tree = parseBounded(text, new Map());
  return 'error' in tree ? { error: tree.error } : run(tree.node, []);
}

function parseBounded(text: string, variables: ReadonlyMap<string, number>): { node: Node } | FormulaError {
  if (text.length > MAX_FORMULA_LENGTH) {
    const column = MAX_FORMULA_LENGTH + 1;
    return { error: `longer than ${MAX_FORMULA_LENGTH} characters`, column };
  }
  try {
    return { node: parse(text, variables) };
  } catch (e) {
    if (!(e instanceof ParseFault)) throw e;
    return { error: `${e.message} at column ${e.column}`, column: e.column };
  }
}

const python = (n: number): Value => (Number.isInteger(n) ? BigInt(n) : n);

function run(node: Node, env: readonly Value[]): FormulaResult {
  try {
    const value = toFloat(evaluate(node, env));
    return Number.isFinite(value) ? { value } : { error: 'the result is not a finite number' };
  } catch (e) {
    if (!(e instanceof FormulaFault)) throw e;
    return { error: e.column === undefined ? e.message : `${e.message} at column ${e.column}` };
  }
}

/** Runs `op`, tagging a fault from it with the operator's column. */
function at(column: number, op: () => Value): Value {
  try {
    return op();
  } catch (e) {
    if (e instanceof FormulaFault && e.column === undefined) e.column = column;
    throw e;
  }
}

function holds(op: CompareOp, o: number): boolean {
  // `o` is NaN when unordered: then only != holds, as in Python.
  if (op === '!=') return o !== 0;
  if (op === '==') return o === 0;
  return op === '<' ? o < 0 : op === '<=' ? o <= 0 : op === '>' ? o > 0 : o >= 0;
}

function evaluate(node: Node, env: readonly Value[]): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'variable':
      return env[node.slot]!;
    case 'and': {
      // Python's and/or yield an operand, not a bool.
      const a = evaluate(node.a, env);
      return truthy(a) ? evaluate(node.b, env) : a;
    }
    case 'or': {
      const a = evaluate(node.a, env);
      return truthy(a) ? a : evaluate(node.b, env);
    }
    case 'if':
      return evaluate(truthy(evaluate(node.test, env)) ? node.then : node.otherwise, env);
    case 'compare': {
      let left = evaluate(node.first, env);
      for (const [op, next] of node.rest) {
        const right = evaluate(next, env);
        if (!holds(op, order(left, right))) return 0n;
        left = right;
      }
      return 1n;
    }
    case 'unary': {
      const v = evaluate(node.operand, env);
      if (node.op === 'not') return truthy(v) ? 0n : 1n;
      if (node.op === '+') return v;
      if (node.op === '-') return -v;
      return at(node.column, () => {
        if (typeof v !== 'bigint') throw new FormulaFault('bad operand type for ~: float');
        return ~v;
      });
    }
    case 'arith': {
      const a = evaluate(node.a, env);
      const b = evaluate(node.b, env);
      return at(node.column, () => arith(node.op, a, b));
    }
    case 'call': {
      const args = node.args.map((n) => evaluate(n, env));
      return at(node.column, () => FUNCTIONS.get(node.name)!.call(args));
    }
  }
}
