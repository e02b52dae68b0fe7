// Reads filter.d/NAME.conf (+ .local) into a FilterConfig: the failregex and ignoreregex lists
// with each pattern's file and line. Interpolation sees the filter's [Init] values and any
// arguments the jail passed (`filter = sshd[mode=aggressive]`), which override [Init].

import { join } from 'node:path';
import type { ConfigProblem } from '../core/errors.ts';
import type { PatternSource } from '../core/types.ts';
import { layeredFiles } from './files.ts';
import { type IniDocument, layer, ownKeys, parseIni, entry as rawEntry, resolve } from './ini.ts';
import type { FilterConfig } from './types.ts';

export type FilterResult = { filter: FilterConfig } | { problems: ConfigProblem[] };

/** Loads the filter `name` from `dir`/filter.d; `args` come from the jail's `filter = name[...]`. */
export function loadFilter(dir: string, name: string, args: Readonly<Record<string, string>>): FilterResult {
  const files = layeredFiles(join(dir, 'filter.d'), name);
  if (files.length === 0) {
    return {
      problems: [{ file: join(dir, 'filter.d', `${name}.conf`), message: `filter "${name}" not found` }],
    };
  }
  const problems: ConfigProblem[] = [];
  const docs: IniDocument[] = [];
  for (const f of files) {
    const parsed = parseIni(f.text, f.path);
    problems.push(...parsed.problems);
    docs.push(parsed.document);
  }
  const doc = layer(docs);
  const extra: Record<string, string> = {};
  for (const key of ownKeys(doc, 'Init')) {
    const v = resolve(doc, 'Init', key);
    if (v && 'value' in v) extra[key] = v.value;
  }
  Object.assign(extra, args);
  const list = (key: string): PatternSource[] => {
    const raw = rawEntry(doc, 'Definition', key);
    if (!raw) return [];
    const v = resolve(doc, 'Definition', key, extra);
    if (!v) return [];
    if ('problem' in v) {
      problems.push(v.problem);
      return [];
    }
    // Continuation lines follow the key line; blank ones are not patterns.
    return v.value
      .split('\n')
      .map((pattern, i) => ({ pattern: pattern.trim(), file: raw.file, line: raw.line + i }))
      .filter((p) => p.pattern !== '');
  };
  const failregex = list('failregex');
  const ignoreregex = list('ignoreregex');
  if (problems.length > 0) return { problems };
  if (failregex.length === 0) {
    return { problems: [{ file: files[0]!.path, option: 'failregex', message: 'filter has no failregex' }] };
  }
  return { filter: { name, file: files[0]!.path, failregex, ignoreregex } };
}
