// Reads filter.d/NAME (+ .local, NAME.d/, [INCLUDES] such as common.conf) into a FilterConfig:
// failregex / ignoreregex lists with each pattern's file and line, plus prefregex, maxlines,
// datepattern and journalmatch as written. Arguments the jail passes (`sshd[mode=aggressive]`)
// override the filter's own values, [Definition] and [Init] alike, as fail2ban's do.

import { join } from 'node:path';
import type { ConfigProblem } from '../core/errors.ts';
import type { PatternSource } from '../core/types.ts';
import { readLayered } from './includes.ts';
import { type IniDocument, type IniEntry, layer, ownKeys, entry as rawEntry, resolve } from './ini.ts';
import type { FilterConfig } from './types.ts';

export type FilterResult = { filter: FilterConfig } | { problems: ConfigProblem[] };

/** The jail's arguments as a [Definition] layered on top of the filter's own files. */
function argumentsDocument(args: Readonly<Record<string, string>>, origin: string): IniDocument {
  const entries = new Map<string, IniEntry>(
    Object.entries(args).map(([k, value]) => [k.toLowerCase(), { value, file: origin, line: 0 }]),
  );
  return { sections: new Map([['Definition', { name: 'Definition', file: origin, line: 0, entries }]]) };
}

/** Loads the filter `name` from `dir`/filter.d; `args` come from the jail's `filter = name[...]`. */
export function loadFilter(dir: string, name: string, args: Readonly<Record<string, string>>): FilterResult {
  return loadFilterFrom(join(dir, 'filter.d'), name, args);
}

/** Loads the filter `name` from the folder `filterDir` (for a filter file given by path). */
export function loadFilterFrom(
  filterDir: string,
  name: string,
  args: Readonly<Record<string, string>>,
): FilterResult {
  const read = readLayered(filterDir, name);
  const main = join(filterDir, `${name}.conf`);
  if (read.files.length === 0) return { problems: [{ file: main, message: `filter "${name}" not found` }] };
  const problems: ConfigProblem[] = [...read.problems];
  const doc = layer([read.document, argumentsDocument(args, `${main} (jail arguments)`)]);
  // No prototype: a tag or group named like one of Object's properties (`<constructor>`) is not
  // an option, and must be left as written.
  const init: Record<string, string> = Object.create(null);
  for (const key of ownKeys(doc, 'Init')) {
    const v = resolve(doc, 'Init', key);
    if (v && 'value' in v) init[key] = v.value;
  }
  for (const [k, v] of Object.entries(args)) init[k.toLowerCase()] = v;
  const value = (key: string): { value: string; at: IniEntry } | undefined => {
    const raw = rawEntry(doc, 'Definition', key);
    if (!raw) return undefined;
    const v = resolve(doc, 'Definition', key, init);
    if (!v) return undefined;
    if ('problem' in v) {
      problems.push(v.problem);
      return undefined;
    }
    return { value: v.value, at: raw };
  };
  // fail2ban also substitutes `<option>` tags in patterns with option values (`<mdre-<mode>>`).
  const options = (name: string): string | undefined => {
    if (['failregex', 'ignoreregex', 'prefregex'].includes(name)) return undefined;
    // `<section/key>` names a key of another section (common.conf's `<lt_file/__prefix_line>`).
    const slash = name.indexOf('/');
    if (name.startsWith('known/')) return value(name)?.value ?? init[name];
    if (slash > 0) {
      const v = resolve(doc, name.slice(0, slash), name.slice(slash + 1), init);
      return v && 'value' in v ? v.value : undefined;
    }
    if (name !== name.toLowerCase()) return undefined;
    return value(name)?.value ?? init[name];
  };
  const list = (key: string): PatternSource[] => {
    const v = value(key);
    if (!v) return [];
    const text = substituteOptionTags(v.value, options);
    // Continuation lines follow the key line; blank ones are not patterns.
    return text
      .split('\n')
      .map((pattern, i) => ({ pattern: pattern.trim(), file: v.at.file, line: v.at.line + i }))
      .filter((p) => p.pattern !== '');
  };
  const failregex = list('failregex');
  const ignoreregex = list('ignoreregex');
  const prefregex = list('prefregex')[0];
  /** A plain option: [Init] and the jail's arguments win over [Definition]; tags substituted. */
  const setting = (key: string): { value: string; at: IniEntry } | undefined => {
    const raw = rawEntry(doc, 'Init', key) ?? rawEntry(doc, 'Definition', key);
    const v = init[key] !== undefined ? { value: init[key]!, at: raw! } : value(key);
    return (
      v && { value: substituteOptionTags(v.value, options), at: v.at ?? { value: '', file: main, line: 0 } }
    );
  };
  const maxlinesText = setting('maxlines');
  const maxlines = maxlinesText ? Number(maxlinesText.value.trim()) : 1;
  if (maxlinesText && !(Number.isInteger(maxlines) && maxlines >= 1 && maxlines <= 1000)) {
    problems.push({
      file: maxlinesText.at.file,
      line: maxlinesText.at.line,
      option: 'maxlines',
      message: `expected a whole number from 1 to 1000, got "${maxlinesText.value}"`,
    });
  }
  if (problems.length > 0) return { problems };
  if (failregex.length === 0) {
    return { problems: [{ file: read.files[0]!, option: 'failregex', message: 'filter has no failregex' }] };
  }
  return {
    filter: {
      name,
      file: read.files[0]!,
      failregex,
      ignoreregex,
      ...(prefregex ? { prefregex } : {}),
      maxlines,
      datepattern: setting('datepattern')?.value.trim() || undefined,
      journalmatch: setting('journalmatch')?.value.trim() || undefined,
    },
  };
}

/** Replaces `<name>` tags naming an option, innermost first, until nothing changes (bounded). */
export function substituteOptionTags(text: string, option: (name: string) => string | undefined): string {
  let out = text;
  for (let pass = 0; pass < 10; pass++) {
    const next = out.replace(/<([^<>\s]+)>/g, (whole, name: string) => option(name) ?? whole);
    if (next === out) return out;
    out = next;
  }
  return out;
}
