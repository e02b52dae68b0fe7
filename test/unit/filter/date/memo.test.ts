// The date search memo (memo.ts) and the prefix closures it keys on (viable.ts) against the plain
// search: a key must fix the result whatever follows it, the memo must answer every line as a fresh
// search would, and a detector with memos must read a log exactly as one on node-re2 without them.
// Inputs: test/samples, the date samples, fail2ban's sample logs, non-ASCII variants, fuzzed runs.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateDetector } from '../../../../src/filter/date/detector.ts';
import { SearchMemo, wholeLineKey } from '../../../../src/filter/date/memo.ts';
import { defaultTemplates, patternTemplates } from '../../../../src/filter/date/patterns.ts';
import { type Found, Subject, search } from '../../../../src/filter/date/search.ts';
import { onNodeRe2, type Template } from '../../../../src/filter/date/template.ts';
import { prefixClosure } from '../../../../src/filter/date/viable.ts';
import { nativeMatcher } from '../../../../src/filter/native-regex.ts';
import { readSamples, stockFilters } from '../../../compat/fail2ban-samples.ts';
import { REPO } from '../../../support/config-dir.ts';
import { fail2banPackage } from '../../../support/fail2ban-package.ts';
import { requireNativeRegex } from '../native-addon.ts';
import { NOW, PATTERN_SAMPLES, SAMPLES } from './samples.ts';

const available = requireNativeRegex();

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(): string[] {
  const dir = join(REPO, 'test', 'samples');
  const shipped = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '' && !l.startsWith('#'));
  const pkg = fail2banPackage();
  const stock = stockFilters(join(pkg.etc, 'filter.d')).flatMap((name) => {
    try {
      return readSamples(pkg.logs, name).map((c) => c.line);
    } catch {
      return [];
    }
  });
  const lines = [...shipped, ...stock, ...SAMPLES.map((s) => s.line), ...PATTERN_SAMPLES.map((s) => s.line)];
  const unique = [...new Set(lines)];
  return [...unique, ...unique.slice(0, 300).flatMap((l) => [`😀${l}`, l.replace(' ', ' é'), `\ud800${l}`])];
}

const LINES = available ? corpus() : [];
// Characters that continue dates (digits, separators, zones, years) or break them.
const ALPHABET = '0123456789 .:,+-/TZUTCGMTamp2026\tJanNovx_é😀\ud800[]()@';

// What could continue a date: digits, fractions, years, zones, times, day periods, boundaries.
const CONTINUATIONS = [
  ...['', ' ', '0', '00', '1', '12', '123456', '1234567', ':', ':00', ':00:00', ' 00:00:00'],
  ...['.', '.1', '.123', '.123456', ',123', '.123 2026', ' 2026', ' 2026 x', '2026', ' 20', '-', '/'],
  ...[' +0200', '+02:00', '-0500 x', ' UTC', 'Z', ' Z', 'GMT', ' CEST', '\t+0100', ' AM', ' pm', 'T'],
  ...['x', '_', 'é', '😀', '\ud800', ']', ')', ' ' + ' '.repeat(100) + '+0100'],
];

function describeFound(f: Found | undefined): unknown {
  return f && { start: f.start, end: f.end, values: f.values() };
}

function nativeTemplates(): Template[] {
  const user = PATTERN_SAMPLES.flatMap((s) => {
    const t = patternTemplates(s.datepattern);
    return 'error' in t ? [] : t;
  });
  return [...defaultTemplates(), ...user].filter((t) => t.native);
}

describe.skipIf(!available)('prefix closures', () => {
  it('reads a syslog date up to the character after its boundary, and no further', () => {
    const t = defaultTemplates().find((x) => x.name === '{^LN-BEG}[%a ]%b %d %k:%M:%S[.%f][ %ExY]')!;
    const line = 'Nov 20 00:00:01 bench-host sshd[10210]: Failed password';
    expect(wholeLineKey(t, t.native!, line)).toBe('Nov 20 00:00:01 b');
    // A year could still follow the blank: the key runs on to the character that rules it out.
    expect(wholeLineKey(t, t.native!, 'Nov 20 00:00:01 2026 x')).toBe('Nov 20 00:00:01 2026 x');
    expect(wholeLineKey(t, t.native!, 'Nov 20 00:00:01 20x')).toBe('Nov 20 00:00:01 20x');
  });

  it('gives up on what it does not parse', () => {
    expect(prefixClosure('a(?i)b')).toBeUndefined();
    expect(prefixClosure('^a(?i)b')).toBeUndefined();
    expect(prefixClosure('^\\Qab\\E')).toBeUndefined();
  });

  it('matches every prefix of what the pattern matches, and stops where all of them die', () => {
    const closure = nativeMatcher(prefixClosure('^a(?:b{2,3}|(?P<x>d))\\bc*$')!, { longest: true })!;
    const longest = (text: string) => (closure.exec(text, 0, text.length) ? closure.spans[1] : -1);
    expect(longest('abbbccx')).toBe(6);
    expect(longest('abbbbc')).toBe(4);
    expect(longest('adc')).toBe(3);
    expect(longest('ax')).toBe(1);
    expect(longest('b')).toBe(0);
  });

  it('fixes the result of every line-start template whatever follows the key', () => {
    const next = random(7);
    let keys = 0;
    for (const t of nativeTemplates()) {
      const n = t.native!;
      if (!n.closure()) continue;
      let mine = 0;
      for (const line of LINES) {
        if (mine >= 150) break;
        const want = search(t, new Subject(line));
        if (!want) continue;
        const key = wholeLineKey(t, n, line);
        if (key === undefined) continue;
        keys++;
        mine++;
        const tails = [...CONTINUATIONS];
        for (let k = 0; k < 4; k++) {
          let tail = k === 0 ? '' : LINES[Math.floor(next() * LINES.length)]!.slice(Math.floor(next() * 20));
          for (let c = 0; c < k; c++) tail = ALPHABET[Math.floor(next() * ALPHABET.length)]! + tail;
          tails.push(tail, CONTINUATIONS[Math.floor(next() * CONTINUATIONS.length)]! + tail);
        }
        for (const tail of tails) {
          const other = key + tail;
          expect(describeFound(search(t, new Subject(other))), `${t.name} ${JSON.stringify(other)}`).toEqual(
            describeFound(want),
          );
        }
      }
    }
    expect(keys).toBeGreaterThan(500);
  });
});

/** Lines in runs: a line, then lines sharing a prefix with it (its date, more, or less). */
function runs(seed: number, count: number): string[] {
  const next = random(seed);
  const pick = () => LINES[Math.floor(next() * LINES.length)]!;
  const out: string[] = [];
  while (out.length < count) {
    const line = pick();
    out.push(line);
    for (let k = Math.floor(next() * 4); k > 0; k--) {
      const cut = Math.floor(next() * (line.length + 1));
      const roll = next();
      if (roll < 0.3) out.push(line.slice(0, cut) + pick().slice(cut));
      else if (roll < 0.6) out.push(line.slice(0, cut) + ALPHABET[Math.floor(next() * ALPHABET.length)]!);
      else if (roll < 0.8) out.push(line);
      else out.push(line.slice(0, cut));
    }
  }
  return out;
}

describe.skipIf(!available)('SearchMemo', () => {
  it('answers every whole-line and windowed search as a fresh search does', () => {
    const lines = runs(11, 1500);
    for (const t of nativeTemplates()) {
      const n = t.native!;
      const whole = new SearchMemo();
      const windowed = new SearchMemo();
      let window = { start: 0, end: 0 };
      for (const line of lines) {
        const want = search(t, new Subject(line));
        expect(describeFound(whole.search(t, n, line)), `${t.name} ${JSON.stringify(line)}`).toEqual(
          describeFound(want),
        );
        // The detector's window: the last date's extent.
        const got = windowed.search(t, n, line, window);
        expect(describeFound(got), `${t.name} ${JSON.stringify(line)} ${JSON.stringify(window)}`).toEqual(
          describeFound(search(t, new Subject(line), window)),
        );
        if (want) window = { start: want.start, end: want.end };
      }
    }
  });
});

describe.skipIf(!available)('a detector with memos', () => {
  // On node-re2, without memos: the reference.
  const plain = (list: readonly Template[]) => list.map(onNodeRe2);

  it.each([1, 2, 3])('reads fuzzed log %i as the detector on node-re2 does', (seed) => {
    const lines = runs(seed, 3000);
    const ours = new TemplateDetector('default', defaultTemplates(), 'local');
    const theirs = new TemplateDetector('default', plain(defaultTemplates()), 'local');
    for (const [i, line] of lines.entries()) {
      const now = NOW + i * 1000;
      expect(ours.find(line, now), JSON.stringify(line)).toEqual(theirs.find(line, now));
    }
  });

  it('follows a TZ change between two lines with the same date, unless told TZ is fixed', () => {
    const previous = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Zurich';
      const following = new TemplateDetector('default', defaultTemplates(), 'local');
      const fixed = new TemplateDetector('default', defaultTemplates(), 'local', true);
      const line = 'Jul  1 12:00:00 host sshd[1]: x';
      const zurich = Date.UTC(2026, 6, 1, 10);
      expect(following.find(line, NOW)?.time).toBe(zurich);
      expect(fixed.find(line, NOW)?.time).toBe(zurich);
      process.env.TZ = 'Australia/Sydney';
      expect(following.find(line, NOW)?.time).toBe(Date.UTC(2026, 6, 1, 2));
      expect(fixed.find(line, NOW)?.time).toBe(zurich);
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it('reads the datepattern samples as the detector on node-re2 does', () => {
    for (const s of PATTERN_SAMPLES) {
      const templates = patternTemplates(s.datepattern);
      if ('error' in templates) continue;
      const ours = new TemplateDetector(s.datepattern, templates, 60);
      const theirs = new TemplateDetector(s.datepattern, plain(templates), 60);
      for (const line of [s.line, s.line, `${s.line} x`, s.line.slice(0, -1), s.line, ...runs(5, 40)]) {
        expect(ours.find(line, NOW), `${s.datepattern} ${JSON.stringify(line)}`).toEqual(
          theirs.find(line, NOW),
        );
      }
    }
  });
});
