// Which patterns repeat something that can match empty: those keep RE2 reading their groups,
// because backtracking engines (PCRE2, Python) end such loops differently.

import { describe, expect, it } from 'vitest';
import { repeatsEmpty } from '../../../../src/filter/pyre/empty-repeat.ts';
import { parse } from '../../../../src/filter/pyre/parse.ts';

const check = (python: string) => repeatsEmpty(parse(python).root);

describe('repeatsEmpty', () => {
  it.each(['(a*)*', '(a|)+', '(?:x?)?', '(?:a|b?){2,}', '(\\b)*', '(?:(?=a))*', '(?:(a)|b*)+c'])(
    'finds one in %s',
    (p) => {
      expect(check(p)).toBe(true);
    },
  );

  it.each([
    'a*b+',
    '(?:ab)*',
    '(a|b)+c',
    'x{0,3}',
    '(?P<ip>\\d{1,3}(?:\\.\\d{1,3}){3})',
    '^.* from (?P<h>\\S+)$',
  ])('finds none in %s', (p) => {
    expect(check(p)).toBe(false);
  });
});
