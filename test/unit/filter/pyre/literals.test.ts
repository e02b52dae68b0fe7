// The literal every match must contain, found from the parsed pattern: it gates RE2, so it must
// never name text a match could do without.

import { describe, expect, it } from 'vitest';
import { requiredAnyOf, requiredLiteral } from '../../../../src/filter/pyre/literals.ts';
import { parse } from '../../../../src/filter/pyre/parse.ts';

const lit = (pattern: string) => requiredLiteral(parse(pattern).root);

describe('requiredLiteral', () => {
  it('takes the longest run of characters a match cannot avoid', () => {
    expect(lit(String.raw`^\s*sshd\[\d+\]: Failed \S+ for .* from (?P<ip>\S+)`)).toBe(']: Failed ');
    expect(lit('Invalid user (?P<user>.*) from')).toBe('Invalid user ');
  });

  it('reads through groups and repeats that must happen at least once, and across assertions', () => {
    expect(lit('(?:(?P<x>abcdef))+')).toBe('abcdef');
    expect(lit(String.raw`\bword\b`)).toBe('word');
    expect(lit('^(?:port)$')).toBe('port');
  });

  it('ignores what is optional, alternative, case-insensitive or only looked at', () => {
    expect(lit('(?:abcdef)?x')).toBe('x');
    expect(lit('(?:abcdef|abcxyz)')).toBe('');
    expect(lit('(?i)Failed')).toBe('');
    expect(lit('(?i:Failed) for')).toBe(' for');
    expect(lit('(?=lookahead)x')).toBe('x');
    expect(lit('(?:abcdef){0,3}')).toBe('');
  });
});

const anyOf = (pattern: string) => requiredAnyOf(parse(pattern).root);

describe('requiredAnyOf', () => {
  it("takes a required alternation's branches when its shortest beats the longest single literal", () => {
    expect(anyOf('^\\s*(?:NOTICE|SECURITY|WARNING)\\[\\d+\\]: ')).toEqual(['NOTICE', 'SECURITY', 'WARNING']);
    expect(anyOf('(?:abcdef|abcxyz) x')).toEqual(['abcdef', 'abcxyz']);
    // The single literal is longer than the alternation's shortest: it stays.
    expect(anyOf('(?:ab|abcdef) Failed password for')).toEqual([' Failed password for']);
  });

  it('reads through groups and repeats that must happen, as requiredLiteral does', () => {
    expect(anyOf('(?:(?P<x>(?:Host|Peer) ))+')).toEqual(['Host', 'Peer']);
    expect(anyOf(String.raw`\bword\b`)).toEqual(['word']);
  });

  it('has nothing when a branch, or everything, can do without a literal', () => {
    expect(anyOf('(?:abcdef|\\d+)')).toEqual([]);
    expect(anyOf('(?:abcdef)?')).toEqual([]);
    expect(anyOf('(?i)(?:NOTICE|WARNING)')).toEqual([]);
    expect(anyOf(`(?:${Array.from({ length: 17 }, (_, i) => `word${i}`).join('|')})`)).toEqual([]);
  });
});
