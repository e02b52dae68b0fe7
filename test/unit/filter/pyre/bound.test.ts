// The Confirmer's bounds: pathological patterns on long lines end in 'limit' or the right answer,
// never a hang or a stack overflow. No wall-clock thresholds: the step budget is what is asserted.

import RE2 from 're2';
import { describe, expect, test } from 'vitest';
import { confirmer } from '../../../../src/filter/pyre/confirm.ts';
import { CONFIRM_LIMITS, type Confirmer, translate } from '../../../../src/filter/pyre/index.ts';
import { parse } from '../../../../src/filter/pyre/parse.ts';
import { compile } from '../../../../src/filter/pyre/program.ts';

const raw = (pattern: string, limits = CONFIRM_LIMITS): Confirmer =>
  confirmer(compile(parse(pattern)), limits);

function confirming(pattern: string): Confirmer {
  const t = translate(pattern);
  if (t.kind !== 'confirm') throw new Error(`${pattern}: expected confirm, got ${t.kind}`);
  return t.confirm;
}

const A8K = 'a'.repeat(CONFIRM_LIMITS.maxLineLength);

describe('ReDoS patterns stop at the step bound', () => {
  test.each([
    ['(a*)*b', A8K],
    ['(a+)+$', `${'a'.repeat(8000)}b`],
    ['(.*a){20}', 'x'.repeat(8000)],
    ['(.*a){20}', `${'a'.repeat(19)}${'x'.repeat(8000)}`],
    ['^(\\w+\\s?)+$', `${'word '.repeat(1500)}!`],
    ['(a|aa)+c', A8K],
    ['(?:a|b)*(?<!a)c', 'ab'.repeat(4000)],
  ])('%s', (pattern, text) => {
    // These inputs have no match; the only other acceptable answer is the bound.
    expect(raw(pattern).search(text)).toSatisfy((r) => r === 'limit' || r === null);
  });

  test('look-around and backreferences are bounded like everything else', () => {
    expect(confirming('(?=(a*)*b)a').search(A8K)).toSatisfy((r) => r === 'limit' || r === null);
    expect(confirming('^(?P<w>a+)+(?P=w)b').search(A8K)).toSatisfy((r) => r === 'limit' || r === null);
    expect(confirming('(?<!x)(a+)+$').search(`${'a'.repeat(5000)}b`)).toSatisfy(
      (r) => r === 'limit' || r === null,
    );
  });

  test('a small budget gives up where a larger one answers', () => {
    const text = `${'a'.repeat(20)}b`;
    expect(raw('(a+)+b', { maxLineLength: 100, maxSteps: 50 }).search(text)).toBe('limit');
    expect(raw('(a+)+b', { maxLineLength: 100, maxSteps: 100_000 }).search(text)).toMatchObject({ index: 0 });
    expect(raw('(a+)+c', { maxLineLength: 100, maxSteps: 100_000 }).search(text)).toBe('limit');
    expect(raw('(a+)+c', { maxLineLength: 100, maxSteps: 100_000 }).search('aaaab')).toBeNull();
  });
});

describe('line length', () => {
  test('a line over the cap is not examined', () => {
    const c = confirming('(?<=a)b');
    expect(c.search(`${A8K}b`)).toBe('limit');
    expect(c.search(`${A8K.slice(1)}b`)).toEqual({
      index: CONFIRM_LIMITS.maxLineLength - 1,
      end: CONFIRM_LIMITS.maxLineLength,
      groups: {},
    });
  });

  test('realistic long lines confirm within the budget', () => {
    const c = confirming(
      String.raw`^Failed \S+ for (?P<user>(?:(?! from ).)*?) from (?P<host>[\d.]+)(?: port \d+)?$`,
    );
    const user = 'x'.repeat(4000);
    const line = `Failed password for ${user} from 192.0.2.1 port 22`;
    expect(c.search(line)).toEqual({
      index: 0,
      end: line.length,
      groups: { user, host: '192.0.2.1' },
    });
  });
});

describe('no stack overflow', () => {
  test('deep nesting is refused before it can recurse without bound', () => {
    expect(translate(`${'('.repeat(101)}a${')'.repeat(101)}`)).toMatchObject({ kind: 'error' });
    expect(translate(`${'(?:'.repeat(100)}a${')'.repeat(100)}`)).toMatchObject({ kind: 'exact' });
  });

  test('a hundred nested look-aheads run in bounded recursion', () => {
    const c = confirming(`${'(?=a'.repeat(100)}${')'.repeat(100)}a`);
    expect(c.search(`${'b'.repeat(4000)}${'a'.repeat(100)}`)).toEqual({ index: 4000, end: 4001, groups: {} });
  });

  test('exponentially nested backreference copies stay bounded', () => {
    const groups = Array.from({ length: 24 }, (_, k) => (k === 0 ? '(a)' : `(\\${k}\\${k})`)).join('');
    const t = translate(groups);
    expect(t.kind).toBe('confirm');
    if (t.kind !== 'confirm') return;
    expect(t.source.length).toBeLessThan(100_000);
    expect(() => new RE2(t.source)).not.toThrow();
    // Python needs 2^24 - 1 characters here; the Confirmer stops at its budget or says no.
    expect(t.confirm.search('a'.repeat(4000))).toSatisfy((r) => r === 'limit' || r === null);
  });
});
