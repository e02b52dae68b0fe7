// The literal every match must contain, found from the parsed pattern: it gates RE2, so it must
// never name text a match could do without.

import { describe, expect, it } from 'vitest';
import { requiredLiteral } from '../../../../src/filter/pyre/literals.ts';
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
