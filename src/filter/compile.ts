// Compiles a filter into a matcher. Each pattern is fail2ban's Python regex: tags are expanded,
// then it is translated to RE2 — exactly where the syntax allows, otherwise as an RE2 superset
// whose hits a bounded backtracking matcher confirms (pyre/). Every pattern is compiled once, at
// load; a pattern that cannot be compiled is a configuration problem naming its file and line.

import RE2 from 're2';
import { type Address, parseAddress } from '../core/address.ts';
import type { ConfigProblem } from '../core/errors.ts';
import type { PatternSource } from '../core/types.ts';
import { type DateDetector, defaultDetector, patternDetector } from './date/index.ts';
import { type Confirmer, scopeInlineFlags, translate } from './pyre/index.ts';
import { capturesHost, expandTags, type UseDns } from './tags.ts';

/** The part of a filter's configuration the matcher needs. */
export interface FilterSpec {
  readonly name: string;
  readonly failregex: readonly PatternSource[];
  readonly ignoreregex: readonly PatternSource[];
  readonly prefregex?: PatternSource;
  readonly datepattern?: string | undefined;
}

export interface FilterOptions {
  readonly usedns?: UseDns;
  /** logtimezone: UTC, UTC+0200, ... (default: the process's local time). */
  readonly timezone?: string;
}

export interface Match {
  /** The failing address; absent when the line named a host (see `host`). */
  readonly address: Address | undefined;
  /** A host name the line gave instead of an address (<HOST> with usedns), to resolve. */
  readonly host: string | undefined;
  /** The line's own time, when it carries a date the detector reads. */
  readonly time: number | undefined;
  /** Index of the failregex that matched, for per-pattern statistics. */
  readonly pattern: number;
  /** The <F-…> captures (user, fid, ...), by group name. */
  readonly fields: Readonly<Record<string, string>>;
}

/** What became of a line, for `banctl regex`'s counts; `dated` when a date was found in it. */
export type Outcome =
  | { readonly outcome: 'matched'; readonly dated: boolean; readonly match: Match }
  | { readonly outcome: 'ignored' | 'missed'; readonly dated: boolean };

export interface Filter {
  readonly name: string;
  /** The failure this line reports, or undefined (no match, ignored, or nothing to ban). */
  match(line: string, now: number): Match | undefined;
  /** Like match, but says whether a line was missed or matched and then ignored. */
  classify(line: string, now: number): Outcome;
  /** Patterns that needed the bounded fallback, with the constructs that forced it. */
  readonly fallbacks: readonly { readonly pattern: PatternSource; readonly constructs: readonly string[] }[];
  /** Lines the bounded fallback gave up on (step or length bound), since load. */
  readonly limited: () => number;
}

type Groups = Record<string, string | undefined>;

/** One compiled pattern: search semantics, named groups as Python would capture them. */
interface Compiled {
  search(text: string): Groups | undefined;
}

class Limits {
  hits = 0;
}

function compile(
  p: PatternSource,
  /** `p` with its tags expanded (expandTags). */
  python: string,
  option: string,
  problems: ConfigProblem[],
  fallbacks: Filter['fallbacks'][number][],
  limits: Limits,
): Compiled | undefined {
  const fail = (message: string) => {
    problems.push({ file: p.file, line: p.line, option, message: `${message}: "${p.pattern}"` });
    return undefined;
  };
  // fail2ban rewrites `((?i)X)` into `(?i:X)` before compiling; stock postfix.conf relies on it.
  const t = translate(scopeInlineFlags(python));
  if (t.kind === 'error') return fail(t.message);
  let re: RE2;
  try {
    re = new RE2(t.source);
  } catch (err) {
    return fail((err as Error).message);
  }
  const exec = (text: string): Groups | undefined => {
    const m = re.exec(text);
    return m ? ((m.groups ?? {}) as Groups) : undefined;
  };
  if (t.kind === 'exact') return { search: exec };
  fallbacks.push({ pattern: p, constructs: t.constructs });
  const confirm: Confirmer = t.confirm;
  return {
    search(text) {
      // RE2 first: only lines the superset accepts pay for the backtracking confirmation.
      if (!re.test(text)) return undefined;
      const r = confirm.search(text);
      if (r === 'limit') {
        limits.hits++;
        return undefined;
      }
      return r ? r.groups : undefined;
    },
  };
}

function detectorOf(spec: FilterSpec, options: FilterOptions, problems: ConfigProblem[]): DateDetector {
  const tz = options.timezone ? { timezone: options.timezone } : {};
  if (!spec.datepattern) return defaultDetector(tz);
  const d = patternDetector(spec.datepattern, tz);
  if ('error' in d) {
    problems.push({ file: spec.name, option: 'datepattern', message: d.error });
    return defaultDetector(tz);
  }
  return d;
}

/** Removes the date the detector found, as fail2ban does before applying failregex. */
function withoutDate(
  line: string,
  detector: DateDetector,
  now: number,
): { text: string; time: number | undefined } {
  const hit = detector.find(line, now);
  if (!hit) return { text: line, time: undefined };
  // Exactly fail2ban's cut: the whitespace around the date stays (stock filters expect `^\s*`).
  return { text: line.slice(0, hit.start) + line.slice(hit.end), time: hit.time };
}

function fieldsOf(groups: Groups): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(groups)) {
    if (v !== undefined && !['ip4', 'ip6', 'dns', 'host', 'cidr', 'content'].includes(k)) out[k] = v;
  }
  return out;
}

/** Compiles every pattern; returns all problems when any fails. */
export function compileFilter(
  spec: FilterSpec,
  options: FilterOptions = {},
): { filter: Filter } | { problems: ConfigProblem[] } {
  const usedns = options.usedns ?? 'warn';
  const problems: ConfigProblem[] = [];
  const fallbacks: Filter['fallbacks'][number][] = [];
  const limits = new Limits();
  const prefExpanded = spec.prefregex ? expandTags(spec.prefregex.pattern, usedns) : '';
  const pref = spec.prefregex
    ? compile(spec.prefregex, prefExpanded, 'prefregex', problems, fallbacks, limits)
    : undefined;
  if (spec.prefregex && !/\(\?P<content>/.test(prefExpanded)) {
    problems.push({
      ...spec.prefregex,
      option: 'prefregex',
      message: 'prefregex needs <F-CONTENT>…</F-CONTENT>',
    });
  }
  const fail = spec.failregex.flatMap((p) => {
    const python = expandTags(p.pattern, usedns);
    if (!capturesHost(python) && !capturesHost(prefExpanded)) {
      problems.push({
        file: p.file,
        line: p.line,
        option: 'failregex',
        message: `no <HOST> in "${p.pattern}"`,
      });
      return [];
    }
    const c = compile(p, python, 'failregex', problems, fallbacks, limits);
    return c ? [c] : [];
  });
  const ignore = spec.ignoreregex.flatMap((p) => {
    const c = compile(p, expandTags(p.pattern, usedns), 'ignoreregex', problems, fallbacks, limits);
    return c ? [c] : [];
  });
  const detector = detectorOf(spec, options, problems);
  if (problems.length > 0) return { problems };
  const classify = (line: string, now: number): Outcome => {
    const { text, time } = withoutDate(line, detector, now);
    const dated = time !== undefined;
    let input = text;
    let prefGroups: Groups = {};
    if (pref) {
      const g = pref.search(text);
      if (!g || g.content === undefined) return { outcome: 'missed', dated };
      prefGroups = g;
      input = g.content;
    }
    for (let i = 0; i < fail.length; i++) {
      const found = fail[i]!.search(input);
      if (!found) continue;
      for (const ig of ignore) if (ig.search(input)) return { outcome: 'ignored', dated };
      const g: Groups = { ...prefGroups, ...found };
      // <F-NOFAIL> marks a line that is recognised but is not a failure; later patterns still try.
      if (g.nofail !== undefined) continue;
      const matched = (address: Address | undefined, host: string | undefined): Outcome => ({
        outcome: 'matched',
        dated,
        match: { address, host, time, pattern: i, fields: fieldsOf(g) },
      });
      const ip = g.ip4 ?? g.ip6 ?? g.host;
      if (ip !== undefined) {
        // An address-shaped capture that is not an address (999.1.1.1) reports nothing.
        const address = parseAddress(ip);
        return address ? matched(address, undefined) : { outcome: 'missed', dated };
      }
      if (g.dns === undefined || usedns === 'no') return { outcome: 'missed', dated };
      return matched(undefined, g.dns);
    }
    return { outcome: 'missed', dated };
  };
  return {
    filter: {
      name: spec.name,
      fallbacks,
      limited: () => limits.hits,
      match(line, now) {
        const r = classify(line, now);
        return r.outcome === 'matched' ? r.match : undefined;
      },
      classify,
    },
  };
}
