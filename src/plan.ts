// Configuration → what each jail needs at run time that config/ does not build itself: its
// compiled filter (patterns, dates) and its bantime.increment settings. Every problem of every jail is returned
// at once, with the file and line of the option at fault.

import { type IncrementSettings, parseIncrementOptions } from './ban/increment.ts';
import type { JailConfig } from './config/types.ts';
import type { ConfigProblem } from './core/errors.ts';
import { type CompiledFilter, compileFilterOnce, type Filter } from './filter/compile.ts';
import { parseTimezone } from './filter/date/index.ts';

export interface JailPlan {
  readonly config: JailConfig;
  readonly filter: Filter;
  readonly increment: IncrementSettings;
}

function incrementOf(config: JailConfig, problems: ConfigProblem[]): IncrementSettings | undefined {
  const byKey = new Map(config.bantimeOptions.map((o) => [o.key, o]));
  const parsed = parseIncrementOptions((key) => byKey.get(key)?.value);
  if ('settings' in parsed) return parsed.settings;
  for (const p of parsed.problems) {
    const at = byKey.get(p.option);
    problems.push({ file: at?.file ?? config.file, line: at?.line, option: p.option, message: p.message });
  }
  return undefined;
}

/** What must agree for two jails to share compiled patterns: the filter and how it reads. */
function compileKey(config: JailConfig): string {
  const { filter, usedns, logtimezone } = config;
  return JSON.stringify({ filter, usedns, logtimezone });
}

/** What must agree for two jails to share a filter: its compileKey, and what it reads. */
function sharingKey(config: JailConfig): string {
  const { logpaths, logpathsFromHead, backend } = config;
  return JSON.stringify([compileKey(config), logpaths, logpathsFromHead, backend]);
}

/** A Filter of the jail's own, on patterns compiled once per compileKey. */
function instanceOf(
  config: JailConfig,
  compiledBy: Map<string, CompiledFilter>,
): { filter: Filter } | { problems: ConfigProblem[] } {
  const key = compileKey(config);
  let compiled = compiledBy.get(key);
  if (!compiled) {
    const r = compileFilterOnce(config.filter, {
      usedns: config.usedns,
      ...(config.logtimezone ? { timezone: config.logtimezone } : {}),
      // Nothing in banhammerd sets TZ, and a running process's environment cannot be changed
      // from outside: it is read once per compile (start, reload), not for every line.
      fixedTz: true,
    });
    if ('problems' in r) return r;
    compiled = r.compiled;
    compiledBy.set(key, compiled);
  }
  return { filter: compiled.instance() };
}

export function planJails(
  jails: readonly JailConfig[],
): { plans: JailPlan[] } | { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const plans: JailPlan[] = [];
  const shared = new Map<string, Filter>();
  const compiledBy = new Map<string, CompiledFilter>();
  for (const config of jails) {
    const tz = config.logtimezone ? parseTimezone(config.logtimezone) : 'local';
    if (typeof tz === 'object') {
      problems.push({ file: config.file, option: 'logtimezone', message: tz.error });
      continue;
    }
    // Jails with the same filter on the same files share one Filter: it keeps state from line to
    // line, and they see the same lines in the same order (jail/shared-match.ts). A journal jail has
    // a journalctl of its own, so its lines are its own too. Other jails of the filter share its
    // compiled patterns, each with a Filter of its own.
    const key = config.backend?.kind === 'systemd' ? undefined : sharingKey(config);
    const reused = key === undefined ? undefined : shared.get(key);
    const compiled = reused ? { filter: reused } : instanceOf(config, compiledBy);
    if ('problems' in compiled) problems.push(...compiled.problems);
    else if (key !== undefined) shared.set(key, compiled.filter);
    const increment = incrementOf(config, problems);
    if ('filter' in compiled && increment) plans.push({ config, filter: compiled.filter, increment });
  }
  return problems.length > 0 ? { problems } : { plans };
}
