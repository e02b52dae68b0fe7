// The libre2 façade: spans in UTF-16 offsets, groups that take no part, the search window (the
// text cut at `end`, what precedes `start` still context), Buffer's offsets for cut surrogate pairs,
// and node-re2's shape for groups. The node-re2 fallback itself runs in every other filter test
// when the addon is not built.

import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import {
  captured,
  groupsReader,
  loadNativeRegexAddon,
  type NativeMatcher,
  nativeMatcher,
  regexEngine,
} from '../../../src/filter/native-regex.ts';
import { requireNativeRegex } from './native-addon.ts';

const available = requireNativeRegex();

function compiled(source: string): NativeMatcher {
  const m = nativeMatcher(source);
  if (!m) throw new Error(`libre2 refused ${source}`);
  return m;
}

/** exec's spans as pairs, or null on no match. */
function spans(m: NativeMatcher, text: string, start = 0, end = text.length): Array<[number, number]> | null {
  if (!m.exec(text, start, end)) return null;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < m.spans.length; i += 2) out.push([m.spans[i]!, m.spans[i + 1]!]);
  return out;
}

/** What node-re2 finds searching `text` cut at `end` from `start` (its lastIndex), as span pairs. */
function nodeSpans(source: string, text: string, start: number, end: number): Array<[number, number]> | null {
  const re = new RE2(source, 'gd');
  re.lastIndex = start;
  const m = re.exec(text.slice(0, end));
  return m ? m.indices!.map((at) => (at ? [at[0], at[1]] : [-1, -1])) : null;
}

describe.skipIf(!available)('native RE2 façade', () => {
  it('names the engine and the libre2 version', () => {
    expect(regexEngine()).toMatch(/^native RE2 \(libre2 \S+\)$/);
  });

  it('reports group names by number', () => {
    expect(compiled('(?P<a>x)(y)(?P<b>z)').names).toEqual(['', 'a', '', 'b']);
  });

  it('returns spans of ASCII text', () => {
    expect(spans(compiled('from (?P<ip>\\d+\\.\\d+)( port)?'), 'login from 10.1 x')).toEqual([
      [6, 15],
      [11, 15],
      [-1, -1],
    ]);
  });

  it('returns UTF-16 spans of text that is not ASCII', () => {
    const m = compiled('(?P<u>\\pL+) from (?P<ip>\\S+)');
    // é is two UTF-8 bytes and one UTF-16 unit; 😀 four bytes and two units.
    const text = 'é😀 José from 😀1.2';
    expect(spans(m, text)).toEqual([
      [4, 19],
      [4, 8],
      [14, 19],
    ]);
    expect(text.slice(14, 19)).toBe('😀1.2');
  });

  it('marks groups that took no part with -1', () => {
    expect(spans(compiled('(?P<a>a)|(?P<b>b)'), 'xb')).toEqual([
      [1, 2],
      [-1, -1],
      [1, 2],
    ]);
  });

  it('reports no match as false', () => {
    expect(compiled('zz').exec('abc', 0, 3)).toBe(false);
    expect(compiled('zz').test('abc')).toBe(false);
    expect(compiled('b').test('abc')).toBe(true);
  });

  it('searches from start, with the text before it as context', () => {
    const m = compiled('\\b(?P<w>\\w+)');
    // "ab|cd": from 1, \b sees "a" before "b" and is false there; the next word starts at 3.
    expect(spans(m, 'ab cd', 1)).toEqual([
      [3, 5],
      [3, 5],
    ]);
    // ^ holds only at the text's start, not at `start`.
    expect(compiled('^c').exec('abc', 2, 3)).toBe(false);
    expect(spans(compiled('^a'), 'abc', 0)).toEqual([[0, 1]]);
  });

  it('treats `end` as the end of the text', () => {
    expect(spans(compiled('b$'), 'abc', 0, 2)).toEqual([[1, 2]]);
    expect(compiled('c').exec('abc', 0, 2)).toBe(false);
    // Out-of-range windows are clamped, and start past end searches the empty rest.
    expect(spans(compiled('$'), 'abc', 7, 99)).toEqual([[3, 3]]);
    // An `end` far past the text (read with a length query first) and one just past it alike.
    expect(spans(compiled('(?P<c>c)$'), 'abc', 0, 0x7fffffff)).toEqual([
      [2, 3],
      [2, 3],
    ]);
    expect(spans(compiled('(?P<c>c)$'), 'abc', 0, 4)).toEqual([
      [2, 3],
      [2, 3],
    ]);
  });

  it('finds leftmost-longest matches when asked to', () => {
    // Leftmost-first takes the first alternative that matches; leftmost-longest the longest one.
    expect(spans(compiled('a|ab|abc'), 'abcd')).toEqual([[0, 1]]);
    const longest = nativeMatcher('a|ab|abc', { longest: true })!;
    expect(spans(longest, 'abcd')).toEqual([[0, 3]]);
    expect(spans(longest, 'xé😀abc')).toEqual([[4, 7]]);
    expect(() => (loadNativeRegexAddon().compile as (...a: unknown[]) => unknown)('a', false, 1)).toThrow(
      TypeError,
    );
  });

  it('cuts a surrogate pair as Buffer does', () => {
    // Buffer.byteLength('a😀'.slice(0, 2)) is 4: the lone high surrogate counts three bytes, so a
    // window ending inside the pair keeps its first three bytes, which no character matches.
    const m = compiled('(?s)a(.)');
    expect(m.exec('a😀', 0, 2)).toBe(false);
    expect(spans(m, 'a😀b', 0, 3)).toEqual([
      [0, 3],
      [1, 3],
    ]);
    // Starting inside the pair starts inside its bytes: the search moves on to the next character.
    expect(spans(compiled('(?s).'), '😀b', 1)).toEqual([[2, 3]]);
  });

  it('reads a lone surrogate as U+FFFD, as node-re2 does', () => {
    const text = 'a\ud800b';
    const m = compiled('(?P<x>a.b)');
    expect(spans(m, text)).toEqual([
      [0, 3],
      [0, 3],
    ]);
    const re2 = new RE2('(?P<x>a.b)').exec(text);
    expect(captured(text, 0, 3)).toBe(re2?.groups?.x);
  });

  it('builds groups as node-re2 does', () => {
    const m = compiled('(?P<user>\\w+)@(?P<host>\\w+)?(?P<constructor>x)?');
    const read = groupsReader(m.names);
    expect(m.exec('me@', 0, 3)).toBe(true);
    const groups = read('me@', m.spans);
    const theirs = new RE2('(?P<user>\\w+)@(?P<host>\\w+)?(?P<constructor>x)?').exec('me@')?.groups;
    expect(Object.entries(groups)).toEqual(Object.entries(theirs ?? {}));
    expect(groups.constructor).toBeUndefined();
    expect(groups.toString).toBeUndefined();
    expect(groupsReader(compiled('(a)').names)('a', m.spans)).toEqual({});
  });

  it('leaves to node-re2 what only node-re2 reads', () => {
    // node-re2 rewrites these JavaScript spellings; libre2 refuses them, so they stay on node-re2.
    for (const source of ['(?<n>x)', '\\u0041', '\\cA', '\\p{Letter}']) {
      expect(() => new RE2(source)).not.toThrow();
      expect(nativeMatcher(source)).toBeUndefined();
    }
  });

  it('refuses arguments of the wrong type', () => {
    const m = compiled('a') as unknown as {
      exec: (...a: unknown[]) => boolean;
      test: (a: unknown) => boolean;
    };
    expect(() => m.exec(1, 0, 1)).toThrow(TypeError);
    expect(() => m.exec('a', 'x', 1)).toThrow(TypeError);
    expect(() => m.test(undefined)).toThrow(TypeError);
  });

  describe('groups read by PCRE2 (fastCaptures)', () => {
    const both = (source: string) => {
      const fast = nativeMatcher(source, { fastCaptures: true })!;
      const slow = compiled(source);
      return {
        fast,
        slow,
        same: (text: string, start = 0, end = text.length) => {
          expect(spans(fast, text, start, end)).toEqual(spans(slow, text, start, end));
          expect(spans(fast, text, start, end)).toEqual(nodeSpans(source, text, start, end));
        },
      };
    };

    it('reads the groups RE2 reads: alternation order, lazy and greedy repeats, unset groups', () => {
      const { fast, same } = both(
        '^(?:(?P<a>x+?)(?P<b>x*)|(?P<c>y))(?P<d>\\d+)? from (?P<ip>[^ ]+)(?: port (?P<port>\\d+))?$',
      );
      expect(fast.fastCaptures).toBe(true);
      for (const text of [
        'xxx1 from 192.0.2.1 port 22',
        'y from 192.0.2.1',
        'xx from from 2001:db8::1',
        'z from 1',
      ])
        same(text);
    });

    it('searches from start with the text before it as context, and cuts at end', () => {
      const { same } = both('\\bfrom (?P<ip>[\\d.]+)(?P<tail> \\w+)?');
      const text = 'xfrom 192.0.2.1 a from 192.0.2.2 port';
      for (const [start, end] of [
        [0, text.length],
        [1, text.length],
        [17, text.length],
        [0, 20],
        [18, 30],
      ])
        same(text, start, end);
    });

    it('leaves text that is not ASCII to RE2', () => {
      const { same } = both('(?P<w>\\pL+) (?P<n>\\pN+)');
      same('héllo 42');
      same('😀 word ٣٤');
    });

    it("gives RE2's groups where PCRE2 would take too many steps", () => {
      // A greedy repeat of alternatives over 200,000 characters: past PCRE2's step limit.
      const { same } = both('^(?P<a>(?:a|b)*)(?P<c>c)');
      same(`${'ab'.repeat(100_000)}c`);
    });

    // Repeats of something that can match empty are the caller's check (pyre/empty-repeat.ts).
    it('is not used where the engines read an escape apart, for leftmost-longest, or without groups', () => {
      expect(nativeMatcher('^(?P<a>\\s+)y', { fastCaptures: true })!.fastCaptures).toBe(false);
      expect(nativeMatcher('(?P<a>a|ab)', { longest: true, fastCaptures: true })!.fastCaptures).toBe(false);
      expect(nativeMatcher('^abc$', { fastCaptures: true })!.fastCaptures).toBe(false);
    });
  });
});
