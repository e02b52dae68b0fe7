// The only functions and constants a bantime.formula may name: math.* and builtins that compute
// numbers. Anything else (attributes, imports, other builtins) is unknown to the parser, so a
// formula can only ever produce a number.

import { FormulaFault, floatPow, order, toFloat, toInt, type Value } from './formula-num.ts';

export interface FormulaFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  call(args: readonly Value[]): Value;
}

const fn = (minArgs: number, maxArgs: number, call: (args: readonly Value[]) => Value): FormulaFunction => ({
  minArgs,
  maxArgs,
  call,
});

const arg = (args: readonly Value[], i: number): Value => args[i]!;

function domain(ok: boolean): void {
  if (!ok) throw new FormulaFault('math domain error');
}

function log(x: number): number {
  domain(x > 0);
  return Math.log(x);
}

function pick(args: readonly Value[], wanted: number): Value {
  // Python keeps the first of equal candidates and ignores an unordered (NaN) one.
  let best = arg(args, 0);
  for (const v of args.slice(1)) if (Math.sign(order(v, best)) === wanted) best = v;
  return best;
}

/** Rounds half to even, as Python's round(); x is finite. */
function halfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return diff < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

function round(args: readonly Value[]): Value {
  const x = arg(args, 0);
  const nd = args.length > 1 ? arg(args, 1) : undefined;
  if (nd !== undefined && typeof nd !== 'bigint') throw new FormulaFault('round() digits must be an int');
  if (typeof x === 'bigint') {
    if (nd === undefined || nd >= 0n) return x;
    if (nd < -4096n) return 0n;
    const unit = 10n ** -nd;
    let q = x / unit;
    if (x % unit !== 0n && x < 0n) q -= 1n;
    const twice = 2n * (x - q * unit);
    if (twice > unit || (twice === unit && q % 2n !== 0n)) q += 1n;
    return q * unit;
  }
  if (!Number.isFinite(x)) throw new FormulaFault('cannot round a non-finite float');
  if (nd === undefined) return toInt(halfEven(x));
  const digits = Number(nd);
  if (digits < 0) {
    const unit = 10 ** -digits;
    return Number.isFinite(unit) ? halfEven(x / unit) * unit : 0 * x;
  }
  // Python rounds the exact binary value half to even. toFixed rounds it too but breaks ties away
  // from zero, so find exact ties in the 100-digit expansion (exact for the digits allowed here).
  if (digits > 40 || Math.abs(x) >= 1e21) return x;
  const exact = x.toFixed(100);
  const cut = exact.indexOf('.') + digits + 1;
  const truncated = exact.slice(0, cut);
  const tie = exact[cut] === '5' && /^0*$/.test(exact.slice(cut + 1));
  if (tie && Number(truncated.replace('.', '').slice(-1)) % 2 === 0) return Number(truncated);
  return Number(x.toFixed(digits));
}

export const FUNCTIONS: ReadonlyMap<string, FormulaFunction> = new Map([
  [
    'math.exp',
    fn(1, 1, (a) => {
      const x = toFloat(arg(a, 0));
      const r = Math.exp(x);
      if (r === Number.POSITIVE_INFINITY && Number.isFinite(x)) throw new FormulaFault('math range error');
      return r;
    }),
  ],
  [
    'math.log',
    fn(1, 2, (a) => {
      const x = log(toFloat(arg(a, 0)));
      if (a.length === 1) return x;
      const base = log(toFloat(arg(a, 1)));
      if (base === 0) throw new FormulaFault('division by zero');
      return x / base;
    }),
  ],
  [
    'math.pow',
    fn(2, 2, (a) => {
      const [x, y] = [toFloat(arg(a, 0)), toFloat(arg(a, 1))];
      domain(!(x === 0 && y < 0) && !(x < 0 && Number.isFinite(y) && !Number.isInteger(y)));
      return floatPow(x, y, 'math range error');
    }),
  ],
  [
    'math.sqrt',
    fn(1, 1, (a) => {
      const x = toFloat(arg(a, 0));
      domain(!(x < 0));
      return Math.sqrt(x);
    }),
  ],
  ['math.floor', fn(1, 1, (a) => (typeof a[0] === 'bigint' ? a[0] : toInt(Math.floor(toFloat(arg(a, 0))))))],
  ['math.ceil', fn(1, 1, (a) => (typeof a[0] === 'bigint' ? a[0] : toInt(Math.ceil(toFloat(arg(a, 0))))))],
  ['min', fn(2, Number.POSITIVE_INFINITY, (a) => pick(a, -1))],
  ['max', fn(2, Number.POSITIVE_INFINITY, (a) => pick(a, 1))],
  [
    'abs',
    fn(1, 1, (a) => (typeof a[0] === 'bigint' ? (a[0] < 0n ? -a[0] : a[0]) : Math.abs(toFloat(arg(a, 0))))),
  ],
  ['int', fn(1, 1, (a) => (typeof a[0] === 'bigint' ? a[0] : toInt(toFloat(arg(a, 0)))))],
  ['float', fn(1, 1, (a) => toFloat(arg(a, 0)))],
  ['round', fn(1, 2, round)],
]);

/** Named constants; True and False are Python's bools, which are ints. */
export const CONSTANTS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['True', 1n],
  ['False', 0n],
  ['math.e', Math.E],
  ['math.pi', Math.PI],
]);
