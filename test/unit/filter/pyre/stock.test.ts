// Every look-around, backreference and conditional in fail2ban 1.0.2's stock filters, expanded by
// fail2ban's own FilterReader (tags as banhammer expands them: <HOST> is host-tag.ts's pattern,
// <F-X> a named group, <SKIPLINES> fail2ban's line skipper), run on lines from fail2ban's sample
// logs with the date removed, against CPython. A few stock \b patterns ride along.

import { readFileSync } from 'node:fs';
import RE2 from 're2';
import { describe, expect, test } from 'vitest';
import { scopeInlineFlags, translate } from '../../../../src/filter/pyre/index.ts';
import { type Case, disagreement, pythonSearch } from './python.ts';

interface Stock {
  readonly filter: string;
  readonly option: string;
  readonly pattern: string;
  readonly texts: readonly string[];
}

const stock: Stock[] = JSON.parse(readFileSync(new URL('./stock-cases.json', import.meta.url), 'utf8'));
const cases: Case[] = stock.flatMap((s) => s.texts.map((text) => ({ pattern: s.pattern, text })));
const python = pythonSearch(cases);

// The stock patterns RE2 runs exactly after rewriting: exim's (?=") is implied by the '"' that must
// follow, and postfix's trailing (?! Connection lost…| Invalid…) becomes a literal trie.
const EXACT = new Set(['asterisk#0', 'exim#0', 'postfix[mode=auth]#0']);

const label = (s: Stock, i: number) =>
  `${s.filter}#${stock.filter((o, j) => o.filter === s.filter && j < i).length}`;

describe('stock fail2ban constructs agree with CPython', () => {
  test.each(stock.map((s, i) => [label(s, i), s.option, i] as const))('%s %s', (name, _option, i) => {
    const s = stock[i]!;
    const t = translate(s.pattern);
    expect(t.kind).toBe(EXACT.has(name) ? 'exact' : 'confirm');
    if (t.kind === 'error') return;
    expect(() => new RE2(t.source)).not.toThrow();
    const problems = cases.flatMap((c, k) =>
      c.pattern === s.pattern ? [disagreement(t, c.text, python[k]!)].filter((p) => p !== undefined) : [],
    );
    expect(problems).toEqual([]);
    // The sample lines include real failures: the translation is exercised, not vacuous.
    expect(python.some((r, k) => cases[k]!.pattern === s.pattern && 'match' in r && r.match)).toBe(true);
  });
});

describe('load-time reporting', () => {
  test('names the constructs that need confirmation', () => {
    const sshd = stock.find((s) => s.filter === 'sshd' && s.pattern.includes('(?(cond_inv)'))!;
    const t = translate(sshd.pattern);
    expect(t.kind === 'confirm' && [...t.constructs].sort()).toEqual(['conditional', 'negative lookahead']);
  });

  test("fail2ban's global-to-scoped flag rewrite is what makes postfix.conf compile", () => {
    const raw = String.raw`^[^[]*\[<HOST>\]: SASL ((?i)LOGIN|PLAIN|(?:CRAM|DIGEST)-MD5) authentication failed:`;
    expect(translate(raw)).toMatchObject({
      kind: 'error',
      message: 'global flags not at the start of the expression',
    });
    expect(scopeInlineFlags(raw)).toBe(
      String.raw`^[^[]*\[<HOST>\]: SASL (?i:LOGIN|PLAIN|(?:CRAM|DIGEST)-MD5) authentication failed:`,
    );
    expect(scopeInlineFlags(String.raw`a(?:(?i)b)\((?i)c)`)).toBe(String.raw`a(?i:b)\((?i)c)`);
  });
});
