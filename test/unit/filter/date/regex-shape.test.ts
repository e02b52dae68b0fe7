// The static reading of an RE2 pattern that bounds line-start templates to a prefix.

import { describe, expect, it } from 'vitest';
import { regexShape } from '../../../../src/filter/date/regex-shape.ts';

describe('regexShape', () => {
  it.each([
    ['abc', 3],
    ['a{2,5}b?', 6],
    ['(?:ab|cde)[xyz]{3}', 6],
    ['^\\d{4}-\\pL\\x{41}\\b$', 7],
    ['(?i)(?P<m>jan|feb)', 3],
    ['a*', Infinity],
    ['(?:ab)+', Infinity],
    ['x{3,}', Infinity],
    ['[]a]\\Qa.b\\E', 4],
    ['é𝐀', 2],
  ])('%s reaches %s', (src, n) => {
    expect(regexShape(src).maxLength).toBe(n);
  });

  it('counts unnamed groups and lists named ones in order', () => {
    const s = regexShape('(a)(?P<y>b)(?:c)(?<z>d)(?i)(e)');
    expect(s.unnamed).toBe(2);
    expect(s.names).toEqual(['y', 'z']);
  });

  it('sees an alternative outside every group', () => {
    expect(regexShape('^a|b').topLevelAlternative).toBe(true);
    expect(regexShape('^(a|b)').topLevelAlternative).toBe(false);
  });
});
