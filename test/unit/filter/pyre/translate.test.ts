// What translate() returns for representative patterns: exact RE2 sources (including the proven
// look-around rewrites), the constructs that force confirmation, and Python's refusals.

import { describe, expect, test } from 'vitest';
import { CONFIRM_LIMITS, translate } from '../../../../src/filter/pyre/index.ts';

const S = String.raw;
// Python's Unicode \s and \S as RE2 classes.
const WS = S`\t-\r\x{1C}-\x{1F}\x{85}\p{Z}`;

describe('exact translations', () => {
  test.each([
    [
      S`^sshd\[\d+\]: Failed (?P<user>\S+) from (?P<host>[\d.]+)$`,
      S`^sshd\[\p{Nd}+\]: Failed (?P<user>[^${WS}]+) from (?P<host>[\p{Nd}.]+)\n?\z`,
    ],
    [S`\w+\s\d`, S`[\p{L}\p{N}_]+[${WS}]\p{Nd}`],
    [S`(?a)\w+\s\d`, S`[0-9A-Z_a-z]+[\x{9}-\x{D} ][0-9]`],
    [S`[\w.-]+`, S`[\p{L}\p{N}_.\-]+`],
    [S`[\W]`, S`[^\p{L}\p{N}_]`],
    ['(?s).', '(?s).'],
    ['(?i)a(?-i:b)', '(?i)a(?-i:b)'],
    ['a{,3}b{2,}c{}', S`a{0,3}b{2,}c\{\}`],
    [S`x\Z`, S`x\z`],
    ['(?m)^a$', '(?m)^a$'],
    ['a*?b??c+?', 'a*?b??c+?'],
    [S`\x00\u00e9\U0001F600`, S`\x{0}\x{E9}\x{1F600}`],
    ['(?x) a  b # comment\n c', 'abc'],
    // $ also matches before a final newline in Python.
    ['a$', S`a\n?\z`],
    // (?=") always holds: whatever follows it starts with '"' (exim.conf).
    [S`"[^"]+(?:"+[^"]*(?="))*?"`, S`"[^"]+(?:"+[^"]*)*?"`],
    // A trailing negative look-ahead of literals becomes a trie (postfix.conf).
    [':(?! ab| c)', S`:(?:\z|[^ ]| (?:\z|[^ac]|a(?:\z|[^b])))`],
    // A trailing positive look-ahead can consume what it looks at.
    [S`x(?=\s|$)`, S`x(?:[${WS}]|\n?\z)`],
    // Nothing that may follow a\d++ is a digit, so giving digits back could never help.
    [S`\d++\.`, S`\p{Nd}+\.`],
    // Word boundaries whose neighbours are known: constant, or one class at the end.
    [S`a\b b`, 'a b'],
    [S`provider\b`, S`provider(?:[^\p{L}\p{N}_]|\z)`],
    [S`(?a)x\b`, S`x\b`],
  ])('%s', (python, source) => {
    expect(translate(python)).toMatchObject({ kind: 'exact', source });
  });
});

describe('superset plus confirmation', () => {
  test.each([
    [S`(?P<q>"?)\S+(?P=q)`, S`(?P<q>"?)[^${WS}]+(?:"?)`, ['backreference']],
    ['(?i)(?P<x>a)(?P=x)', '(?i)(?P<x>a)(?:a)', ['backreference']],
    ['(?(1)a|b)(x)', '(?:a|b)(x)', ['conditional']],
    ['(?<=a)b', 'b', ['positive lookbehind']],
    ['(?<!a)b', 'b', ['negative lookbehind']],
    ['x(?!ab)y', 'xy', ['negative lookahead']],
    ['x(?=ab)y', 'xy', ['positive lookahead']],
    ['(?>a+)b', '(?:a+)b', ['atomic group']],
    ['a++a', 'a+a', ['possessive quantifier']],
    ['a{1001}', 'a{1000,}', ['repetition count above 1000']],
    [S`\bfoo`, 'foo', ['word boundary beside unknown characters']],
    ['(?:a$|b)c', '(?:a(?m:$)|b)c', ['$ before more pattern']],
    ['(?P<g>a?)+', '(?P<g>a?)+', ['repeat that can match empty, with named groups']],
    [S`[^\W\d_]`, S`[^\p{Nd}_]`, [S`negated class with \W or \S`]],
    [S`(?a)\B`, S`\B`, [S`\B on an empty line`]],
  ])('%s', (python, source, constructs) => {
    expect(translate(python)).toMatchObject({ kind: 'confirm', source, constructs });
  });

  test('the Confirmer reports Python groups and a JavaScript string index', () => {
    const t = translate('(?<=:)(?P<user>\\w+)(?: (?P<port>\\d+))?');
    expect(t.kind).toBe('confirm');
    if (t.kind !== 'confirm') return;
    expect(t.confirm.search('😀:root')).toEqual({
      index: 3,
      end: 7,
      groups: { user: 'root', port: undefined },
    });
    expect(t.confirm.search('root')).toBeNull();
  });

  test('limits are the documented ones', () => {
    expect(CONFIRM_LIMITS).toEqual({ maxLineLength: 8192, maxSteps: 100_000 });
    expect(Object.isFrozen(CONFIRM_LIMITS)).toBe(true);
  });
});

describe('patterns Python refuses', () => {
  test.each([
    ['(', 'missing ), unterminated subpattern', 1],
    ['[a', 'unterminated character set', 1],
    ['a**', 'multiple repeat', 3],
    ['a|(?i)b', 'global flags not at the start of the expression', 3],
    ['(?<=a+)b', 'look-behind requires fixed-width pattern', 1],
    ['(?P<a>x)(?P<a>y)', "redefinition of group name 'a' as group 2; was group 1", 9],
    [S`\q`, S`bad escape \q`, 1],
    ['(?L)a', "bad inline flags: cannot use 'L' flag with a str pattern", 4],
    [S`(a)\2`, 'invalid group reference 2', 4],
  ])('%s', (python, message, column) => {
    expect(translate(python)).toEqual({ kind: 'error', message, column });
  });
});
