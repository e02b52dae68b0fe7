import { describe, expect, it } from 'vitest';
import {
  compileFormula,
  DEFAULT_FORMULA,
  evaluateConstant,
  type FormulaVars,
} from '../../../src/ban/formula.ts';

const VARS: FormulaVars = { time: 600, count: 3, factor: 1 };

function compiled(text: string) {
  const f = compileFormula(text);
  if ('error' in f) throw new Error(`did not compile: ${f.error}`);
  return f;
}

const value = (text: string, vars: FormulaVars = VARS) => compiled(text).evaluate(vars);

// Expected values are what python3 prints for float(eval(text)).
describe('compileFormula: Python semantics', () => {
  it.each([
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ['10 - 4 - 3', 3],
    ['2 ** 3 ** 2', 512],
    ['-2 ** 2', -4],
    ['2 * -3 ** 2', -18],
    ['2 ** -1', 0.5],
    ['2 ** 0.5', Math.SQRT2],
    ['-3 - -3', 0],
    ['7 / 2', 3.5],
    ['1 + 2 << 3', 24],
    ['6 & 3 | 8 ^ 1', 11],
    ['~5', -6],
    ['1e3', 1000],
    ['.5 + 5.', 5.5],
    ['True + True', 2],
  ])('precedence and literals: %s = %d', (text, expected) => {
    expect(value(text)).toEqual({ value: expected });
  });

  it.each([
    ['7 // 2', 3],
    ['-7 // 2', -4],
    ['7 // -2', -4],
    ['-7.5 // 2', -4],
    ['7.5 // -2', -4],
    ['-7 // 2.0', -4],
    ['-7 % 3', 2],
    ['7 % -3', -2],
    ['-7.5 % 2', 0.5],
    ['5.5 % -2', -0.5],
    ['1024 >> 3', 128],
    ['-9 >> 1', -5],
  ])('floors like Python: %s = %d', (text, expected) => {
    expect(value(text)).toEqual({ value: expected });
  });

  it('keeps ints exact beyond 2^53, as Python ints are', () => {
    expect(value('10 ** 20 + 1 - 10 ** 20')).toEqual({ value: 1 });
    expect(value('2 ** 100 // 2 ** 98')).toEqual({ value: 4 });
    expect(value('1 << 63')).toEqual({ value: 2 ** 63 });
  });

  it.each([
    ['1 < 2 < 3', 1],
    ['3 > 2 > 2', 0],
    ['1 == 1.0', 1],
    ['2 != 2', 0],
    ['1 + 2 * 3 < 4 << 1', 1],
    ['0 or 5', 5],
    ['3 and 0', 0],
    ['2 and 7', 7],
    ['not 0', 1],
    ['not 2 + 1', 0],
    ['1 if 0 else 2', 2],
    ['1 if 1 else 2', 1],
    ['10 if 0 else 20 if 0 else 30', 30],
    ['5 + 1 if 0 else 2', 2],
    ['(1 if 0 else 2) * 3', 6],
  ])('comparisons, logic and conditionals: %s = %d', (text, expected) => {
    expect(value(text)).toEqual({ value: expected });
  });

  it('evaluates lazily: untaken branches never fail', () => {
    expect(value('1 if 1 else 1/0')).toEqual({ value: 1 });
    expect(value('0 and 1/0')).toEqual({ value: 0 });
    expect(value('1 < 0 < 1/0')).toEqual({ value: 0 });
  });

  it.each([
    ['math.exp(1)', Math.E],
    ['math.log(math.e)', 1],
    ['math.log(8, 2)', 3],
    ['math.pow(2, 10)', 1024],
    ['math.sqrt(16)', 4],
    ['math.floor(-2.5)', -3],
    ['math.ceil(2.1)', 3],
    ['min(3, 1.5, 2)', 1.5],
    ['max(1, 4, 2,)', 4],
    ['abs(-3)', 3],
    ['int(-2.7)', -2],
    ['float(3)', 3],
    ['round(2.5)', 2],
    ['round(3.5)', 4],
    ['round(-0.5)', 0],
    ['round(2.5, 0)', 2],
    ['round(-2.5, 0)', -2],
    ['round(0.5, 0)', 0],
    ['round(2.675, 2)', 2.67],
    ['round(0.125, 2)', 0.12],
    ['round(0.375, 2)', 0.38],
    ['round(1250, -2)', 1200],
    ['round(1350, -2)', 1400],
    ['round(-1250, -2)', -1200],
    ['round(1234.5, -2)', 1200],
  ])('whitelisted function %s = %d', (text, expected) => {
    expect(value(text)).toEqual({ value: expected });
  });

  it('names ban.Time, ban.Count and banFactor; whole numbers are ints', () => {
    expect(value('ban.Time * banFactor + ban.Count', { time: 600, count: 2, factor: 1.5 })).toEqual({
      value: 902,
    });
    expect(value('ban.Time << 1', { time: 2, count: 0, factor: 1 })).toEqual({ value: 4 });
    expect(value('ban.Time << 1', { time: 1.5, count: 0, factor: 1 })).toEqual({
      error: 'unsupported operand type for <<: float at column 10',
    });
  });

  it('evaluates the default formula many times from one compilation', () => {
    const f = compiled(DEFAULT_FORMULA);
    expect(f.evaluate({ time: 600, count: 1, factor: 1 })).toEqual({ value: 1200 });
    expect(f.evaluate({ time: 600, count: 25, factor: 1 })).toEqual({ value: 629_145_600 });
    expect(f.evaluate({ time: 60, count: 2, factor: 2 })).toEqual({ value: 480 });
  });
});

describe('compileFormula: runtime errors', () => {
  it.each([
    ['1 / 0', 'division by zero at column 3'],
    ['1 // 0', 'integer division or modulo by zero at column 3'],
    ['1.0 % 0', 'float floor division or modulo by zero at column 5'],
    ['1.5 << 2', 'unsupported operand type for <<: float at column 5'],
    ['~1.5', 'bad operand type for ~: float at column 1'],
    ['1 + math.log(0)', 'math domain error at column 5'],
    ['math.sqrt(-1)', 'math domain error at column 1'],
    ['math.exp(1000)', 'math range error at column 1'],
    ['2.0 ** 5000', 'result too large at column 5'],
    ['(-8) ** 0.5', 'a negative number to a fractional power is complex at column 6'],
    ['0 ** -1', 'zero cannot be raised to a negative power at column 3'],
    ['1 << -1', 'negative shift count at column 3'],
    // Python would compute these; banhammer caps ints at 4096 bits.
    ['1 << 5000', 'integer result exceeds 4096 bits at column 3'],
    ['3 ** 10000', 'integer result exceeds 4096 bits at column 3'],
    ['round(2.5, 1.0)', 'round() digits must be an int at column 1'],
    ['1e308 * 10', 'the result is not a finite number'],
  ])('%s fails: %s', (text, error) => {
    expect(value(text)).toEqual({ error });
  });
});

describe('compileFormula: rejected at load', () => {
  it.each([
    ['ban.__class__', 'unknown name ban.__class__ at column 1', 1],
    ['ban.Time.__class__', 'unknown name ban.Time.__class__ at column 1', 1],
    ['ban.Time * (1).real', 'unexpected "." at column 15', 15],
    ['__import__("os")', 'unexpected character """ at column 12', 12],
    ['open(1)', 'unknown function open at column 1', 1],
    ['ban', 'unknown name ban at column 1', 1],
    ['2 * foo', 'unknown name foo at column 5', 5],
    ['random.random()', 'unknown function random.random at column 1', 1],
    ['math.exp', 'math.exp is a function and must be called at column 1', 1],
    ['banFactor(2)', 'banFactor is not a function at column 1', 1],
    ['min(1)', 'min() takes at least 2 arguments, got 1 at column 1', 1],
    ['math.log(1, 2, 3)', 'math.log() takes 1 or 2 arguments, got 3 at column 1', 1],
    ['1 + ', 'unexpected end of formula at column 5', 5],
    ['(1 + 2', 'expected ")", found end of formula at column 7', 7],
    ['1 +* 2', 'unexpected "*" at column 4', 4],
    ['1 if 1', 'expected "else", found end of formula at column 7', 7],
    ['1 2', 'unexpected "2" at column 3', 3],
    ['lambda x', 'unexpected "lambda" at column 1', 1],
    ['x = 1', 'unexpected character "=" at column 3', 3],
    ['[1][0]', 'unexpected character "[" at column 1', 1],
    ['010', 'leading zeros in an integer are not allowed at column 1', 1],
    ['', 'unexpected end of formula at column 1', 1],
  ])('%j', (text, error, column) => {
    expect(compileFormula(text)).toEqual({ error, column });
  });

  it('bounds length and nesting', () => {
    expect(compileFormula(`1${' + 1'.repeat(250)}`)).toEqual({
      error: 'longer than 1000 characters',
      column: 1001,
    });
    expect(compileFormula(`${'('.repeat(150)}1${')'.repeat(150)}`)).toMatchObject({
      error: expect.stringContaining('nested too deeply'),
    });
    expect(compileFormula(`${'-'.repeat(500)}1`)).toMatchObject({
      error: expect.stringContaining('nested too deeply'),
    });
    expect(value(`1${' + 1'.repeat(240)}`)).toEqual({ value: 241 });
  });
});

describe('evaluateConstant', () => {
  it('evaluates arithmetic without variables', () => {
    expect(evaluateConstant('2.0 / 2.885385')).toEqual({ value: 0.6931484013398559 });
    expect(evaluateConstant('1')).toEqual({ value: 1 });
  });

  it('rejects variables', () => {
    expect(evaluateConstant('banFactor')).toEqual({ error: 'unknown name banFactor at column 1' });
  });
});
