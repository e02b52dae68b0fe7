// FILTER as fail2ban-regex takes it (a path, a filter.d name with options, or a regex), loaded and
// compiled for banctl regex. Each worker thread calls this too: compiled patterns stay in their thread.

import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseActionList } from '../config/action-list.ts';
import { loadFilter, loadFilterFrom } from '../config/filter-file.ts';
import type { FilterConfig } from '../config/types.ts';
import { formatProblem } from '../core/errors.ts';
import { compileFilter, type Filter } from '../filter/compile.ts';

/** What banctl regex was asked to run; plain data, so it crosses to a worker as is. */
export interface FilterRequest {
  readonly spec: string;
  readonly ignore: string | undefined;
  readonly confDir: string;
}

function resolveFilter({ spec, ignore, confDir }: FilterRequest): FilterConfig | string {
  const asIgnore = ignore === undefined ? [] : [{ pattern: ignore, file: '<command line>', line: 1 }];
  const withIgnore = (f: FilterConfig): FilterConfig =>
    asIgnore.length > 0 ? { ...f, ignoreregex: [...f.ignoreregex, ...asIgnore] } : f;
  if (existsSync(spec) && statSync(spec).isFile()) {
    const loaded = loadFilterFrom(dirname(spec), basename(spec).replace(/\.(conf|local)$/, ''), {});
    return 'filter' in loaded ? withIgnore(loaded.filter) : loaded.problems.map(formatProblem).join('\n');
  }
  const call = parseActionList(spec);
  if (
    'calls' in call &&
    call.calls.length === 1 &&
    existsSync(`${confDir}/filter.d/${call.calls[0]!.name}.conf`)
  ) {
    const { name, args } = call.calls[0]!;
    const loaded = loadFilter(confDir, name, args);
    return 'filter' in loaded ? withIgnore(loaded.filter) : loaded.problems.map(formatProblem).join('\n');
  }
  return {
    name: '<command line>',
    file: '<command line>',
    failregex: [{ pattern: spec, file: '<command line>', line: 1 }],
    ignoreregex: asIgnore,
  };
}

/** The filter's configuration and its compiled form, or the problems as text. */
export function loadRegexFilter(
  req: FilterRequest,
): { config: FilterConfig; filter: Filter } | { error: string } {
  const config = resolveFilter(req);
  if (typeof config === 'string') return { error: config };
  // Nothing here changes TZ while the log is read: the dates need not look it up for every line.
  const compiled = compileFilter(config, { fixedTz: true });
  if ('problems' in compiled) return { error: compiled.problems.map(formatProblem).join('\n') };
  return { config, filter: compiled.filter };
}
