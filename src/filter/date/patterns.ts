// Turns `datepattern` values into templates. Each line is one pattern: strptime directives inside a
// regex, optionally prefixed {^LN-BEG} (line start) or {UNB} (no word boundaries); or a special value:
// {DEFAULT}, {^LN-BEG}, {NONE}, EPOCH, LEPOCH, TAI64N, ISO8601, or a regex around {DATE} or {EPOCH}.

import {
  BASES,
  type Base,
  compileSpec,
  defaultSpecs,
  EPOCH_DIGITS,
  epochSpec,
  LONG_EPOCH_DIGITS,
  tai64nSpec,
} from './defaults.ts';
import { compilePattern, type PatternSpec, type Template } from './template.ts';
import { type Substituted, substitute } from './tokens.ts';

// fail2ban documents ISO8601 but matches it as literal text; here it means the calendar form.
const ISO8601 = '%Y-%Exm-%Exd[T ]%ExH:%ExM:%ExS(?:[.,]%f)?(?:%z)?';

interface Prefixed {
  readonly rest: string;
  readonly begin: PatternSpec['begin'];
  readonly end: boolean;
}

function prefixes(p: string): Prefixed {
  if (p.startsWith('{UNB}')) return { rest: p.slice(5), begin: 'none', end: false };
  if (p.startsWith('{^LN-BEG}')) return { rest: p.slice(9), begin: 'line', end: true };
  return { rest: p, begin: 'word', end: true };
}

function strptimePattern(p: string): Template | { error: string } {
  const { rest, begin, end } = prefixes(p);
  const sub = substitute(rest);
  if ('error' in sub) return sub;
  return compilePattern({ name: p, regex: sub.regex, ignoreCase: sub.alpha, begin, end, kind: 'strptime' });
}

// A regex around {EPOCH} or {LEPOCH}: the whole match is the date, the placeholder its value.
function epochPattern(p: string, long: boolean): Template | { error: string } {
  const { rest, begin, end } = prefixes(p);
  const digits = long ? LONG_EPOCH_DIGITS : EPOCH_DIGITS;
  let first = true;
  const regex = rest.replace(/\{L?EPOCH\}/gi, () => {
    // One value group; RE2 refuses a repeated group name, so later placeholders only match.
    const g = first ? `(?P<epoch>${digits})` : `(?:${digits})`;
    first = false;
    return g;
  });
  return compilePattern({
    name: p,
    regex: `(${regex})`,
    ignoreCase: false,
    begin,
    end,
    kind: long ? 'lepoch' : 'epoch',
  });
}

// Each default template set inside `p` at {DATE}; the epoch and TAI64N forms keep their own value group.
function aroundDate(p: string, b: Base): Template | { error: string } {
  const { rest, begin, end } = prefixes(p);
  const ok: Substituted[] = [];
  for (const part of rest.split(/\{DATE\}/i)) {
    const sub = substitute(part);
    if ('error' in sub) return sub;
    ok.push(sub);
  }
  return compilePattern({
    name: rest.replace(/\{DATE\}/gi, b.name),
    regex: ok.map((x) => x.regex).join(b.body),
    ignoreCase: b.ignoreCase || ok.some((x) => x.alpha),
    begin,
    end,
    kind: b.kind,
  });
}

const SPECIAL: Readonly<Record<string, () => Template | { error: string }>> = {
  '{NONE}': () =>
    compilePattern({
      name: '{NONE}',
      regex: '^',
      ignoreCase: false,
      begin: 'none',
      end: false,
      kind: 'none',
    }),
  EPOCH: () => compileSpec(epochSpec(false, false, 'Epoch')),
  '^EPOCH': () => compileSpec(epochSpec(false, true, '{^LN-BEG}Epoch')),
  '{^LN-BEG}EPOCH': () => compileSpec(epochSpec(false, true, '{^LN-BEG}Epoch')),
  LEPOCH: () => compileSpec(epochSpec(true, false, 'LongEpoch')),
  '^LEPOCH': () => compileSpec(epochSpec(true, true, '{^LN-BEG}LongEpoch')),
  '{^LN-BEG}LEPOCH': () => compileSpec(epochSpec(true, true, '{^LN-BEG}LongEpoch')),
  TAI64N: () => compileSpec(tai64nSpec(false, 'TAI64N')),
  '^TAI64N': () => compileSpec(tai64nSpec(true, '{^LN-BEG}TAI64N')),
  '{^LN-BEG}TAI64N': () => compileSpec(tai64nSpec(true, '{^LN-BEG}TAI64N')),
  ISO8601: () => strptimePattern(ISO8601),
  '^ISO8601': () => strptimePattern(`{^LN-BEG}${ISO8601}`),
  '{^LN-BEG}ISO8601': () => strptimePattern(`{^LN-BEG}${ISO8601}`),
};

// Compiling the 31 defaults takes about 150 ms (RE2 expands the Unicode word classes in each), so
// every detector shares one list, as fail2ban shares its DateDetectorCache, and each template
// compiles at its first use. Templates never change after compilation and each search sets
// lastIndex before it runs, so sharing is safe.
let defaults: readonly Template[] | undefined;

/** fail2ban's default list, compiled once. */
export function defaultTemplates(): readonly Template[] {
  defaults ??= defaultSpecs().map((s) => {
    // Compiled at first use: a log needs one or two of them (the sources are fixed and tested).
    const t = compileSpec(s, true);
    if ('error' in t) throw new Error(`Default date template failed to compile: ${t.error}`);
    return t;
  });
  return defaults;
}

/** Templates for a datepattern value: one pattern per line (or array entry), in order. */
export function patternTemplates(datepattern: string | readonly string[]): Template[] | { error: string } {
  const lines = (typeof datepattern === 'string' ? datepattern.split('\n') : datepattern)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return { error: 'datepattern is empty' };
  const list: Template[] = [];
  const names = new Set<string>();
  // Defaults added after other patterns skip names already present, as in fail2ban.
  const add = (t: Template, ignoreDuplicate: boolean): string | undefined => {
    if (names.has(t.name)) return ignoreDuplicate ? undefined : `datepattern "${t.name}" is given twice`;
    names.add(t.name);
    list.push(t);
    return undefined;
  };
  for (const p of lines) {
    // Without a % directive fail2ban reads the special words in any case.
    const key = p.includes('%') ? p : p.toUpperCase();
    const many = list.length > 0;
    let batch: Array<Template | { error: string }>;
    if (key === '{DEFAULT}') batch = [...defaultTemplates()];
    else if (key === '{^LN-BEG}') batch = defaultTemplates().filter((t) => t.anchored);
    else if (/\{DATE\}/i.test(p)) batch = BASES.map((b) => aroundDate(p, b));
    else if (/\{L?EPOCH\}/i.test(p)) batch = [epochPattern(p, /\{LEPOCH\}/i.test(p))];
    else batch = [(SPECIAL[key] ?? (() => strptimePattern(p)))()];
    const defaults = batch.length > 1;
    for (const t of batch) {
      if ('error' in t) return { error: `datepattern "${p}": ${t.error}` };
      const dup = add(t, defaults && many);
      if (dup) return { error: dup };
    }
  }
  return list;
}
