// Python 3 number semantics for bantime.formula: a bigint is a Python int (bools included, as
// 0n/1n) and a number is a Python float, so `//`, `%`, `/`, `**` and shifts give what fail2ban's
// eval would. Ints are capped at MAX_INT_BITS so no formula can exhaust memory; Python has no cap,
// but a ban length never needs more than a few dozen bits.

export type Value = bigint | number;

/** A runtime failure inside the formula (Python would raise); the evaluator adds the column. */
export class FormulaFault extends Error {
  column: number | undefined;
}

const MAX_INT_BITS = 4096;
const INT_LIMIT = 1n << BigInt(MAX_INT_BITS);

function bounded(v: bigint): bigint {
  if (v >= INT_LIMIT || v <= -INT_LIMIT)
    throw new FormulaFault(`integer result exceeds ${MAX_INT_BITS} bits`);
  return v;
}

export function toFloat(v: Value): number {
  if (typeof v === 'number') return v;
  const f = Number(v);
  if (!Number.isFinite(f)) throw new FormulaFault('int too large to convert to float');
  return f;
}

export function truthy(v: Value): boolean {
  return typeof v === 'bigint' ? v !== 0n : v !== 0;
}

/** A float to a Python int, truncating toward zero as `int()` does. */
export function toInt(f: number): bigint {
  if (!Number.isFinite(f)) throw new FormulaFault('cannot convert a non-finite float to an integer');
  return bounded(BigInt(Math.trunc(f)));
}

export type ArithOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '<<' | '>>' | '&' | '|' | '^';

export function arith(op: ArithOp, a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return intArith(op, a, b);
  if (op === '<<' || op === '>>' || op === '&' || op === '|' || op === '^') {
    throw new FormulaFault(`unsupported operand type for ${op}: float`);
  }
  return floatArith(op, toFloat(a), toFloat(b));
}

function intArith(op: ArithOp, a: bigint, b: bigint): Value {
  switch (op) {
    case '+':
      return bounded(a + b);
    case '-':
      return bounded(a - b);
    case '*':
      return bounded(a * b);
    case '/':
      return floatArith('/', toFloat(a), toFloat(b));
    case '//':
    case '%': {
      if (b === 0n) throw new FormulaFault('integer division or modulo by zero');
      // BigInt division truncates; Python floors, so step down when the signs differ.
      let q = a / b;
      if (a % b !== 0n && a < 0n !== b < 0n) q -= 1n;
      return op === '//' ? q : a - q * b;
    }
    case '**':
      if (b < 0n) return floatArith('**', toFloat(a), toFloat(b));
      if (a === 0n || a === 1n) return b === 0n ? 1n : a;
      if (a === -1n) return b % 2n === 0n ? 1n : -1n;
      if (BigInt((a < 0n ? -a : a).toString(2).length) * b > BigInt(MAX_INT_BITS)) {
        throw new FormulaFault(`integer result exceeds ${MAX_INT_BITS} bits`);
      }
      return bounded(a ** b);
    case '<<':
      if (b < 0n) throw new FormulaFault('negative shift count');
      if (a === 0n) return 0n;
      if (b > BigInt(MAX_INT_BITS)) throw new FormulaFault(`integer result exceeds ${MAX_INT_BITS} bits`);
      return bounded(a << b);
    case '>>':
      if (b < 0n) throw new FormulaFault('negative shift count');
      if (b > BigInt(MAX_INT_BITS)) return a < 0n ? -1n : 0n;
      return a >> b;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
  }
}

function floatArith(op: ArithOp, x: number, y: number): number {
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) throw new FormulaFault('division by zero');
      return x / y;
    case '//':
    case '%': {
      if (y === 0) throw new FormulaFault('float floor division or modulo by zero');
      const [div, mod] = floatDivMod(x, y);
      return op === '//' ? div : mod;
    }
    case '**':
      return floatPow(x, y, 'result too large');
    default:
      throw new FormulaFault(`unsupported operand type for ${op}: float`);
  }
}

// CPython's float divmod: the remainder takes the divisor's sign and the quotient is floored.
function floatDivMod(x: number, y: number): [number, number] {
  let mod = x % y;
  let div = (x - mod) / y;
  if (mod !== 0) {
    if (y < 0 !== mod < 0) {
      mod += y;
      div -= 1;
    }
  } else mod = y < 0 ? -0 : 0;
  if (div !== 0) {
    const floor = Math.floor(div);
    div = div - floor > 0.5 ? floor + 1 : floor;
  } else div = x / y < 0 ? -0 : 0;
  return [div, mod];
}

/** Python's float `**` and math.pow: errors where Python raises rather than NaN or Infinity. */
export function floatPow(x: number, y: number, overflow: string): number {
  if (y === 0 || x === 1) return 1;
  if (x === 0 && y < 0) throw new FormulaFault('zero cannot be raised to a negative power');
  if (x < 0 && Number.isFinite(y) && !Number.isInteger(y)) {
    throw new FormulaFault('a negative number to a fractional power is complex');
  }
  if (x === -1 && !Number.isFinite(y)) return 1;
  const r = x ** y;
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) throw new FormulaFault(overflow);
  return r;
}

/** Negative, zero or positive as a is below, equal to or above b; NaN when unordered. */
export function order(a: Value, b: Value): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number')
    return a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN;
  // Mixed int and float compare exactly, as Python does, not through a lossy conversion.
  const [i, f, sign] = typeof a === 'bigint' ? [a, b as number, 1] : [b as bigint, a as number, -1];
  if (Number.isNaN(f)) return Number.NaN;
  if (!Number.isFinite(f)) return f > 0 ? -sign : sign;
  if (Number.isInteger(f)) {
    const g = BigInt(f);
    return sign * (i < g ? -1 : i > g ? 1 : 0);
  }
  return sign * (Number(i) < f ? -1 : 1);
}
