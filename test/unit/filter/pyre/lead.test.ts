// The bytes an anchored match begins with (pyre/lead.ts) and the strings one of which every match
// contains (requiredAnyOf) rule lines out in native code before RE2 runs: each must admit every
// text CPython matches. Checked on fail2ban's stock constructs and their sample lines.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anchoredLead, LEAD_BYTES } from '../../../../src/filter/pyre/lead.ts';
import { requiredAnyOf } from '../../../../src/filter/pyre/literals.ts';
import { parse } from '../../../../src/filter/pyre/parse.ts';
import { type Case, pythonSearch } from './python.ts';

const lead = (pattern: string) => anchoredLead(parse(pattern).root);

/** Whether `lead` admits the text's first bytes (UTF-8), as lane.cc's Lead::Admits reads them. */
function admits(lead: Uint8Array, text: string): boolean {
  const bytes = Buffer.from(text, 'utf8');
  const positions = lead.length / LEAD_BYTES;
  if (bytes.length < positions) return false;
  for (let p = 0; p < positions; p++) {
    const b = bytes[p]!;
    if (!((lead[p * LEAD_BYTES + (b >> 3)]! >> (b & 7)) & 1)) return false;
  }
  return true;
}

describe('anchoredLead', () => {
  it("reads 3proxy's start: a space, + or -, four digits, a space", () => {
    const l = lead(String.raw`^\s[+-]\d{4} \S+ \d{3}0[1-9] \S+ (?P<host>\S+):\d+`)!;
    expect(l.length / LEAD_BYTES).toBe(8); // at most 8 positions: \s [+-] \d \d \d \d ' ' \S
    expect(admits(l, ' +0300 PROXY.3128 00004 - 1.2.3.4:1')).toBe(true);
    expect(admits(l, '\t-1200 x')).toBe(true);
    expect(admits(l, ' bench-host sshd[1]: Failed password')).toBe(false);
    expect(admits(l, ' +030')).toBe(false); // shorter than the lead
  });

  it('stops at the first position it cannot tell, and keeps a repeat only as far as its minimum', () => {
    expect(lead('^ab(?:c|d)e')!.length / LEAD_BYTES).toBe(2);
    expect(lead(String.raw`^x\d{2,5}y`)!.length / LEAD_BYTES).toBe(3);
    expect(lead('(?i)^ab')!.length / LEAD_BYTES).toBe(2);
    expect(admits(lead('(?i)^ab')!, 'AB')).toBe(true);
  });

  it('has none for a pattern that can start anywhere, or whose first positions admit any byte', () => {
    expect(lead('ab')).toBeUndefined();
    expect(lead('(?m)^ab')).toBeUndefined();
    expect(lead('^.*ab')).toBeUndefined();
    expect(lead(String.raw`^[\s\S]+x`)).toBeUndefined();
    expect(lead('^a|b')).toBeUndefined();
  });

  it('admits any byte from 0x80: a non-ASCII text is left to RE2', () => {
    expect(admits(lead(String.raw`^\s\d`)!, '\u00a07')).toBe(true);
  });
});

interface Stock {
  readonly filter: string;
  readonly pattern: string;
  readonly texts: readonly string[];
}

describe("lead and gate admit every text CPython matches (fail2ban's stock constructs and samples)", () => {
  const stock: Stock[] = JSON.parse(readFileSync(new URL('./stock-cases.json', import.meta.url), 'utf8'));
  // Each stock pattern as written, and anchored at the start, so every pattern has a lead to test.
  const patterns = [
    ...new Set(stock.flatMap((s) => [s.pattern, s.pattern.startsWith('^') ? s.pattern : `^${s.pattern}`])),
  ];
  const texts = [...new Set(stock.flatMap((s) => s.texts))];
  const cases: Case[] = patterns.flatMap((pattern) => texts.map((text) => ({ pattern, text })));
  const python = pythonSearch(cases);

  it('on every match', () => {
    let matched = 0;
    let led = 0;
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const r = python[i]!;
      if (!('match' in r) || !r.match) return;
      matched++;
      const root = parse(c.pattern).root;
      const l = anchoredLead(root);
      if (l) led++;
      if (l && !admits(l, c.text)) wrong.push(`lead: ${c.pattern} on ${c.text}`);
      const gate = requiredAnyOf(root);
      if (gate.length > 0 && !gate.some((s) => c.text.includes(s)))
        wrong.push(`gate: ${c.pattern} on ${c.text}`);
    });
    expect(wrong).toEqual([]);
    expect(matched).toBeGreaterThan(50);
    expect(led).toBeGreaterThan(10);
  });
});
