// A filter.d filter loaded and compiled as banctl regex compiles it (TZ read once), throwing with
// the problems when it does not load or compile: the shipped ones by default, or another config
// dir's (fail2ban's stock filters) with filter options.

import { loadFilter } from '../../src/config/filter-file.ts';
import { compileFilter, type Filter } from '../../src/filter/compile.ts';
import { REPO } from './config-dir.ts';

export function compiledFilter(name: string, dir = REPO, args: Record<string, string> = {}): Filter {
  const loaded = loadFilter(dir, name, args);
  if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
  const compiled = compileFilter(loaded.filter, { fixedTz: true });
  if ('problems' in compiled) throw new Error(JSON.stringify(compiled.problems));
  return compiled.filter;
}
