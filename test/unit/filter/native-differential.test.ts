// libre2 through the addon (with PCRE2 reading the groups where compilePattern lets it) against
// node-re2, on real inputs: every default date template (and every
// datepattern of a filter) through search(), native and buffer paths, whole-line and windowed; and
// every failregex, ignoreregex and prefregex of the shipped filters and of fail2ban's stock ones,
// as exec would see them. Inputs: test/samples, the date samples, fail2ban's sample logs (read as
// the compat harness reads them), each also with non-ASCII text around the date.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { loadFilter } from '../../../src/config/filter-file.ts';
import type { FilterConfig } from '../../../src/config/types.ts';
import { defaultDetector } from '../../../src/filter/date/index.ts';
import { defaultTemplates, patternTemplates } from '../../../src/filter/date/patterns.ts';
import { type Found, Subject, search } from '../../../src/filter/date/search.ts';
import { onNodeRe2, type Template } from '../../../src/filter/date/template.ts';
import { captured, groupsReader, nativeMatcher } from '../../../src/filter/native-regex.ts';
import { scopeInlineFlags, translate } from '../../../src/filter/pyre/index.ts';
import { expandTags } from '../../../src/filter/tags.ts';
import { readSamples, stockFilters } from '../../compat/fail2ban-samples.ts';
import { REPO } from '../../support/config-dir.ts';
import { fail2banPackage } from '../../support/fail2ban-package.ts';
import { SAMPLES as DATE_SAMPLES, NOW } from './date/samples.ts';
import { requireNativeRegex } from './native-addon.ts';

const available = requireNativeRegex();
const SHIPPED = join(REPO, 'test', 'samples');

/**
 * The line, and the same line with non-ASCII text right before, inside and after its date: a
 * surrogate pair just before a date puts a windowed search's start inside the pair.
 */
function variants(line: string): string[] {
  return [line, `😀${line}`, line.replace(' ', ' é😀'), `\ud800${line} ☃`];
}

function shippedLines(name: string): string[] {
  return readFileSync(join(SHIPPED, `${name}.log`), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}

// ---- date templates -------------------------------------------------------------------------

function describeFound(t: Template, f: Found | undefined): unknown {
  return f && { start: f.start, end: f.end, fields: t.names.map((n) => f.group(n)) };
}

/** Mismatches between the native and the buffer search of `t` over `lines`. */
function templateMismatches(t: Template, lines: readonly string[]): string[] {
  if (!t.native) return [`${t.name}: not compiled by libre2`];
  const buffer = onNodeRe2(t);
  const out: string[] = [];
  const compare = (line: string, window?: { start: number; end: number }) => {
    const ours = describeFound(t, search(t, new Subject(line), window));
    const theirs = describeFound(t, search(buffer, new Subject(line), window));
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
      out.push(
        `${t.name} ${JSON.stringify(line)} ${JSON.stringify(window)}: ${JSON.stringify(ours)} != ${JSON.stringify(theirs)}`,
      );
    }
    return theirs as { start: number; end: number } | undefined;
  };
  for (const line of lines) {
    const whole = compare(line);
    // The detector's windows: a previous date's extent, and ones a character off either way.
    if (whole) {
      compare(line, { start: whole.start, end: whole.end });
      compare(line, { start: whole.start + 1, end: whole.end + 1 });
    }
    compare(line, { start: 1, end: line.length - 1 });
    // A previous line's window on a shorter line, and an inverted one.
    compare(line, { start: line.length + 3, end: line.length + 9 });
    compare(line, { start: line.length, end: line.length });
    compare(line, { start: 6, end: 2 });
  }
  return out;
}

// ---- failregex, ignoreregex, prefregex -------------------------------------------------------

interface Source {
  readonly name: string;
  readonly source: string;
  /** Compiled as compilePattern compiles it: with PCRE2 reading the groups where it may. */
  readonly fastCaptures: boolean;
}

/** The RE2 sources compilePattern builds for a filter's patterns (exact or superset alike). */
function sourcesOf(f: FilterConfig): Source[] {
  const multiline = (f.maxlines ?? 1) > 1;
  const out: Source[] = [];
  const add = (kind: string, pattern: string, m: boolean) => {
    const scoped = scopeInlineFlags(expandTags(pattern, 'warn'));
    const t = translate(m ? `(?m)${scoped}` : scoped);
    if (t.kind === 'error') return;
    const fastCaptures = t.kind === 'exact' && !t.repeatsEmpty;
    out.push({ name: `${f.name} ${kind} ${pattern}`, source: t.source, fastCaptures });
  };
  for (const p of f.failregex) add('failregex', p.pattern, multiline);
  for (const p of f.ignoreregex) add('ignoreregex', p.pattern, false);
  if (f.prefregex) add('prefregex', f.prefregex.pattern, false);
  return out;
}

/** What the regexes of a filter see: lines, their text without the date, prefregex content, buffers. */
function textsOf(f: FilterConfig, lines: readonly string[]): string[] {
  const detector = defaultDetector();
  const texts: string[] = [];
  for (const line of lines.flatMap(variants)) {
    texts.push(line);
    const hit = detector.find(line, NOW);
    if (hit) texts.push(line.slice(0, hit.start) + line.slice(hit.end));
  }
  const pref = f.prefregex && translate(scopeInlineFlags(expandTags(f.prefregex.pattern, 'warn')));
  if (pref && pref.kind !== 'error') {
    const re = new RE2(pref.source);
    for (const text of [...texts]) {
      const content = re.exec(text)?.groups?.content;
      if (content !== undefined) texts.push(content);
    }
  }
  const maxlines = f.maxlines ?? 1;
  if (maxlines > 1) {
    for (let i = 0; i < lines.length; i++) {
      texts.push(`${lines.slice(Math.max(0, i - maxlines + 1), i + 1).join('\n')}\n`);
    }
  }
  return texts;
}

/** Mismatches between libre2 and node-re2 for `s` over `texts`: match, every group's span and text. */
function patternMismatches(s: Source, texts: readonly string[]): string[] {
  const native = nativeMatcher(s.source, { fastCaptures: s.fastCaptures });
  if (!native) return [`${s.name}: not compiled by libre2`];
  const re = new RE2(s.source, 'd');
  const read = groupsReader(native.names);
  const out: string[] = [];
  for (const text of texts) {
    const m = re.exec(text);
    const hit = native.exec(text, 0, text.length);
    const tested = native.test(text);
    let ours: unknown = hit;
    let theirs: unknown = m !== null;
    if (m && hit) {
      const spans = [...native.spans];
      const groups = Object.entries(read(text, native.spans));
      const values = spans.flatMap((start, i) =>
        i % 2 === 0 ? [start < 0 ? undefined : captured(text, start, spans[i + 1]!)] : [],
      );
      ours = { spans, values, groups };
      theirs = {
        spans: m.indices!.flatMap((at) => at ?? [-1, -1]),
        values: [...m],
        groups: Object.entries(m.groups ?? {}),
      };
    }
    if (JSON.stringify(ours) !== JSON.stringify(theirs) || tested !== (m !== null)) {
      out.push(`${s.name} ${JSON.stringify(text)}: ${JSON.stringify(ours)} != ${JSON.stringify(theirs)}`);
    }
  }
  return out;
}

function expectNone(mismatches: readonly string[]): void {
  expect(mismatches.slice(0, 5), `${mismatches.length} mismatch(es)`).toEqual([]);
}

// ---- the suites -----------------------------------------------------------------------------

describe.skipIf(!available)('native RE2 and node-re2 agree', () => {
  const shipped = readdirSync(SHIPPED)
    .filter((f) => f.endsWith('.log'))
    .map((f) => f.replace(/\.log$/, ''));
  const shippedAll = [...shipped.flatMap(shippedLines), ...DATE_SAMPLES.map((s) => s.line)];

  it.each(defaultTemplates().map((t) => [t.name, t] as const))(
    'default template %s on test/samples',
    (_name, t) => {
      expectNone(templateMismatches(t, shippedAll.flatMap(variants)));
    },
  );

  it.each(shipped)('filter.d/%s patterns on its samples', (name) => {
    // sshd's aggressive mode holds every pattern of the other modes.
    const loaded = loadFilter(REPO, name, name === 'sshd' ? { mode: 'aggressive' } : {});
    if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
    const texts = textsOf(loaded.filter, shippedLines(name));
    const sources = sourcesOf(loaded.filter);
    expectNone(sources.flatMap((s) => patternMismatches(s, texts)));
    // Our own filters are written for RE2: PCRE2 reads the groups of every pattern with groups.
    const slow = sources.filter((s) => (nativeMatcher(s.source)?.names.length ?? 0) > 1 && !s.fastCaptures);
    expect(slow.map((s) => s.name)).toEqual([]);
    if (loaded.filter.datepattern) {
      const templates = patternTemplates(loaded.filter.datepattern);
      if ('error' in templates) throw new Error(templates.error);
      expectNone(templates.flatMap((t) => templateMismatches(t, texts)));
    }
  });

  describe("fail2ban's stock filters and samples", () => {
    const pkg = fail2banPackage();
    const names = stockFilters(join(pkg.etc, 'filter.d'));
    const casesOf = (name: string) => {
      try {
        return readSamples(pkg.logs, name);
      } catch {
        return []; // a stock filter without a sample log (the compat table lists them)
      }
    };

    it('default templates on every sample line', () => {
      const lines = names.flatMap((n) => casesOf(n).map((c) => c.line));
      const unique = [...new Set(lines)].flatMap((l) => variants(l).slice(0, 2));
      expectNone(defaultTemplates().flatMap((t) => templateMismatches(t, unique)));
    });

    it.each(names)('%s patterns on its samples', (name) => {
      const cases = casesOf(name);
      const byVariant = new Map<string, { args: Record<string, string>; lines: string[] }>();
      for (const c of cases) {
        const v = byVariant.get(c.variant.name) ?? { args: { ...c.variant.args }, lines: [] };
        v.lines.push(c.line);
        byVariant.set(c.variant.name, v);
      }
      if (byVariant.size === 0) byVariant.set(name, { args: {}, lines: [] });
      const mismatches: string[] = [];
      for (const { args, lines } of byVariant.values()) {
        const loaded = loadFilter(pkg.etc, name, args);
        if ('problems' in loaded) continue; // the compat table records which filters load
        const texts = textsOf(loaded.filter, lines);
        mismatches.push(
          ...sourcesOf(loaded.filter)
            .filter((s) => nativeMatcher(s.source) !== undefined)
            .flatMap((s) => patternMismatches(s, texts)),
        );
        if (loaded.filter.datepattern) {
          const templates = patternTemplates(loaded.filter.datepattern);
          if (!('error' in templates)) {
            mismatches.push(
              ...templates.filter((t) => t.native).flatMap((t) => templateMismatches(t, lines)),
            );
          }
        }
      }
      expectNone(mismatches);
    });
  });
});
