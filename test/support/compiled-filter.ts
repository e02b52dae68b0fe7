// A filter.d filter loaded and compiled as banctl regex compiles it (TZ read once), throwing with
// the problems when it does not load or compile: the shipped ones by default, or another config
// dir's (fail2ban's stock filters) with filter options.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Writes the filter `name` into `dir`'s filter.d (made as needed), for compiledFilter(name, dir). */
export function writeFilter(dir: string, name: string, text: string): void {
  mkdirSync(join(dir, 'filter.d'), { recursive: true });
  writeFileSync(join(dir, 'filter.d', `${name}.conf`), text);
}

/**
 * A slapd-like multi-line filter (maxlines 5): a connection's `ACCEPT from IP=<HOST>` line, then,
 * within the lines after it, the same connection's `close` line.
 */
export function ldapFilter(close: string): string {
  return [
    '[Definition]',
    `failregex = ^\\s*\\S+ \\S+ conn=(?P<_conn>\\d+) ACCEPT from IP=<HOST>\\n(?:.*\\n)*?\\s*\\S+ \\S+ conn=(?P=_conn) ${close}$`,
    '[Init]',
    'maxlines = 5',
    '',
  ].join('\n');
}
