// Differential test of the translation against CPython's re.search: every construct of Python's
// syntax, each on texts that exercise its edges. Exact translations are run with RE2, confirm
// translations with the Confirmer (and their RE2 superset must match wherever Python does).

import { describe, expect, test } from 'vitest';
import { translate } from '../../../../src/filter/pyre/index.ts';
import { type Case, disagreement, pythonSearch } from './python.ts';

const TABLE: Record<string, readonly string[]> = {
  // literals and escapes
  'a\\x41\\u00e9\\U0001F600': ['aAé😀', 'aA'],
  '\\0\\012\\101\\a\\f\\v\\t': ['\0\nA\x07\f\v\t'],
  '\\-\\ \\#\\.\\*\\[\\]\\{\\}': ['- #.*[]{}'],
  'a{}b{x}c{,}|{': ['a{}b{x}c', 'a{}b{x}', '{'],
  'x{,2}y{2}z{1,}w{1,2}': ['xxyyzw', 'yyzzww', 'xxxyyzw'],
  // classes
  '[]a]+': [']a]', 'b'],
  '[^]a]+': ['ab]c', ']]'],
  '[a-]+[-b]+': ['a--b', '-b'],
  '[\\d-]+x': ['12-3x', 'x'],
  '[\\w.-]+@[\\w.-]+': ['mail joe.doe@ex-ample.org', 'x@'],
  '[\\s\\S]{3}': ['a\nb', 'ab'],
  '[\\b]': ['\b', 'b'],
  '[^\\d\\s]+': ['12 ab3', '12 '],
  '[\\W]+': ['ab, c', 'abc'],
  '[\\Wa]+': ['b a, c', 'bbb'],
  '[^\\W\\d_]+': ['12_ab3', '123', '_é9'],
  '[\\D]+': ['12ab3', '123'],
  '[\\x00-\\x1f]': ['a\x1fb', 'ab'],
  '(?i)[a-c]+': ['xABCx', 'xyz'],
  '(?i)[^a]+': ['AAAbA', 'aA'],
  '[\\S]+': ['  ab  ', '   '],
  // Unicode categories, and their ASCII forms
  '\\w+': ['café au lait', '__x1'],
  '(?a)\\w+': ['café', 'été'],
  '\\d+': ['x٣4٥', 'x'],
  '(?a)\\d+': ['٣4٥'],
  '\\s': ['a\vb', 'a\x1cb', 'a\u2028b', 'a\u00a0b', 'ab'],
  '(?a)\\s': ['a\u00a0b', 'a\vb'],
  '\\S+\\s\\S+': ['foo\u3000bar', 'foo bar'],
  // dot, DOTALL, code points beyond the BMP
  'a.c': ['a\nc abc', 'a\nc'],
  '(?s)a.c': ['a\nc'],
  '(?s:a.)c': ['a\nc'],
  '^.$': ['😀', 'ab'],
  '(?P<e>.)x': ['😀x', 'y😀😀x'],
  // anchors
  '^a': ['ab', 'ba'],
  '(?m)^b': ['a\nb', 'ab'],
  a$: ['a', 'a\n', 'a\nb', 'a\n\n'],
  '(?m)a$': ['a\nb', 'ba'],
  '\\Aa': ['a', 'ba'],
  'a\\Z': ['a', 'a\n'],
  '(?m)^$': ['a\n', 'a'],
  '(?P<t>a$)': ['a', 'a\n'],
  '(?:: |$)': ['x: y', 'x', 'x\n'],
  '\\bfoo\\b': ['a foo b', 'afoo', 'foo', 'éfoo', 'fooé', 'foo.'],
  'o\\B': ['foo', 'o', 'oé'],
  'denied\\b': ['denied by', 'deniedé', 'denied', 'denied_'],
  ' \\bfoo': ['a foo', 'afoo'],
  'a\\b b': ['a b'],
  'a\\Bb': ['ab', 'a b'],
  'x\\b': ['x', 'xé', 'x!'],
  '(?a)x\\b': ['xé', 'xy'],
  '(?a)\\Bx|y': ['', 'ax', 'x'],
  '"[^"]*\\bGooglebot/': ['"Mozilla (compatible; Googlebot/2.1)"', '"éGooglebot/"', '"Googlebot/"'],
  '[\\d.]+\\]?\\b': ['1.2.3.4] x', '1.2.3.4é'],
  // groups and priorities
  '(a)(?P<n>b)?c': ['ac', 'abc'],
  '(?P<o>(?P<i>a)b)': ['xab'],
  '(?P<x>a|ab)(?P<y>c|bcd)(?P<z>d*)': ['abcd'],
  '(?P<a>.*)-(?P<b>.*)': ['x-y-z'],
  '(?P<a>.*?)-(?P<b>.*)': ['x-y-z'],
  '(?P<g>a+?)a*': ['aaa'],
  'x*?y': ['xxy'],
  'a{1,3}?': ['aaa'],
  // inline flags and verbose mode
  '(?i)abc': ['xABC', 'abd'],
  'a(?i:b)c': ['aBc', 'aBC'],
  '(?i)a(?-i:b)c': ['AbC', 'ABC'],
  '(?x) a b c # comment': ['abc', 'a b c'],
  '(?x)a\\ b[ ]c': ['a b c', 'ab c'],
  '(?x)a +': ['aaa'],
  '(?x:a b)c d': ['abc d', 'abcd'],
  'a(?#comment)b': ['ab'],
  '(?ia)k': ['K', 'k', '\u212a'],
  '(?i)k': ['\u212a', 'K'],
  '(?ai)[^k]': ['\u212a', 'K'],
  '(?ai)[a-c]+': ['xABCx'],
  'x(?ai:[^\\W])': ['xÉ', 'xe'],
  '(?i)[h-j]': ['İ', 'ı'],
  '(?i)[^i]': ['İ', 'ı', 'x'],
  '(?i)[a-z]+': ['ſK'],
  '(?i)login': ['LOGİN', 'logın'],
  '(?u)\\w': ['é'],
  // repeats: sre's zero-width protection and last-iteration captures
  '(?P<g>a?)*': ['aa'],
  '(?P<g>a*)*b': ['aab'],
  '(?P<g>a|)*b': ['aab'],
  '(?:(?P<g>a)|b)*': ['ab', 'ba'],
  '(?P<o>(?P<i>a)|b)+': ['ab'],
  '(?P<g>a*)+b': ['b'],
  '(?:a*)*': ['aaa'],
  '(?m)(?P<g>(?:$|[^a])+)': [' b\nba\n'],
  '(?m)(?:$|[^a])+': [' b\nba\n'],
  '(?:(?P<g>a)|b)*?c': ['abc'],
  // look-around
  'foo(?=bar)': ['foobar', 'foobaz'],
  'foo(?!bar)': ['foobar', 'foobaz', 'foo', 'fooba'],
  '(?<=a)b': ['ab', 'cb'],
  '(?<!a)b': ['ab', 'cb'],
  '(?<=ab|cd)e': ['cde', 'xe'],
  '(?=(?P<a>a))': ['ba'],
  '(?!(?P<a>a))b': ['b'],
  '\\S+(?=\\s|$)': ['abc def', 'abc'],
  'foo(?=\\s)': ['foo bar', 'foobar'],
  '(?i)ab(?!cd|ef)': ['abCD', 'abEx', 'AB'],
  'x(?!)': ['x'],
  '(?=a)*b': ['b'],
  '(?<=(?P<p>a))b': ['ab'],
  // backreferences
  '(a)\\1': ['aa', 'ab'],
  '(?P<x>a|b)(?P=x)': ['abba', 'ab'],
  '(?i)(?P<x>a)(?P=x)': ['aA'],
  '(?P<w>\\w+) (?P=w)': ['the the end', 'a b'],
  '(?:(?P<g>a)|b)(?P=g)': ['bb', 'aa'],
  '(?P<q>"?)\\S+(?P=q) x': ['"abc" x', '"abc x', 'abc x'],
  '(a)(?<=\\1)': ['a'],
  // conditionals
  '(a)?(?(1)b|c)': ['ab', 'c', 'ac'],
  '(?P<q><)?\\w+(?(q)>)': ['<a>', 'a', '<a'],
  '(?(1)a|b)(x)': ['bx', 'ax'],
  // atomic groups and possessive repeats
  '(?>a+)b': ['aab'],
  '(?>a|ab)c': ['abc', 'ac'],
  'a(?>bc|b)c': ['abcc', 'abc'],
  'a++b': ['aab'],
  'a*+a': ['aaa'],
  '(?:a|ab){2}+c': ['abac', 'aac'],
  '(?:a|ab)*+c': ['abac'],
  '\\d++\\.': ['12.5'],
  'x(?>a|ab)': ['xab'],
  // repetition beyond RE2's 1000
  '(?P<a>a{1001})': ['a'.repeat(1001), 'a'.repeat(1000)],
  // refused by Python
  '(': [''],
  ')': [''],
  '[a': [''],
  'a**': [''],
  '*a': [''],
  'a{2}{3}': [''],
  '\\8': [''],
  '(a)\\2': [''],
  '(?P<1>a)': [''],
  '(?P=x)': [''],
  'a|(?i)b': [''],
  '(?<=a+)b': [''],
  '(?L)a': [''],
  '\\q': [''],
  '(?(2)a)(b)': [''],
  '(?P<a>a)(?P<a>b)': [''],
  '(a(?P=a))': [''],
  '[b-a]': [''],
  '[\\d-z]': [''],
  '\\x4': [''],
  'a{3,2}': [''],
  '(?i-i:a)': [''],
  '(?au)a': [''],
  '(?-a:a)': [''],
  '(?P<n>a(?P=n))': [''],
  '(?(1)a|b|c)(x)': [''],
};

// Every cased letter below U+3000 under (?i), on each of its case forms: RE2's folding must agree.
const FOLDS: Case[] = [];
for (let cp = 0x80; cp < 0x3000; cp++) {
  const c = String.fromCodePoint(cp);
  if (!/\p{L}/u.test(c) || (c.toLowerCase() === c && c.toUpperCase() === c)) continue;
  for (const text of new Set([c, c.toLowerCase(), c.toUpperCase()]))
    FOLDS.push({ pattern: `(?i)${c}`, text });
}

const table: Case[] = Object.entries(TABLE).flatMap(([pattern, texts]) =>
  texts.map((text) => ({ pattern, text })),
);
const cases = [...table, ...FOLDS];
const python = pythonSearch(cases);

describe('translation agrees with CPython re.search', () => {
  test.each(Object.keys(TABLE))('%s', (pattern) => {
    const t = translate(pattern);
    const problems = table.flatMap((c, i) =>
      c.pattern === pattern ? [disagreement(t, c.text, python[i]!)].filter((p) => p !== undefined) : [],
    );
    expect(problems).toEqual([]);
  });

  test(`(?i) on ${FOLDS.length} case forms of non-ASCII letters`, () => {
    const problems = FOLDS.flatMap((c, k) => {
      const why = disagreement(translate(c.pattern), c.text, python[table.length + k]!);
      return why ? [`${c.pattern} on ${JSON.stringify(c.text)}: ${why}`] : [];
    });
    expect(problems).toEqual([]);
  });
});
