// Compiles a filter: every pattern once, at load (pattern.ts), plus its date detector; the
// result processes lines in order (find-failure.ts). A pattern that cannot be compiled is a
// configuration problem naming its file and line; all of them are reported at once. The compiled
// patterns hold no state, so jails of one filter on different files share them (CompiledFilter),
// each with a Filter of its own for the state.

import type { ConfigProblem } from '../core/errors.ts';
import type { PatternSource } from '../core/types.ts';
import { type DateDetector, defaultDetector, detectorFor } from './date/index.ts';
import { FailureFinder, type Match } from './find-failure.ts';
import type { MemberLane } from './group-lane.ts';
import type { Outcome, OutcomeSink } from './outcome.ts';
import { compilePattern, type Fallback, Limits, type Pattern, type PatternContext } from './pattern.ts';
import { capturesHost, expandTags, type UseDns } from './tags.ts';

export type { Match, Outcome } from './find-failure.ts';

/** The part of a filter's configuration the matcher needs. */
export interface FilterSpec {
  readonly name: string;
  readonly failregex: readonly PatternSource[];
  readonly ignoreregex: readonly PatternSource[];
  readonly prefregex?: PatternSource;
  readonly datepattern?: string | undefined;
  /** Lines buffered for multi-line failregexes (fail2ban's maxlines); 1 when absent. */
  readonly maxlines?: number;
}

export interface FilterOptions {
  readonly usedns?: UseDns;
  /** logtimezone: UTC, UTC+0200, ... (default: the process's local time). */
  readonly timezone?: string;
  /**
   * The process's TZ will not change while this filter runs (a one-shot tool): the dates read it
   * once instead of for every line. Without it a change of TZ is followed from the next line on.
   */
  readonly fixedTz?: boolean;
}

/**
 * A compiled filter. It keeps state between lines (the maxlines buffer, the last date, the
 * sessions of <F-MLFID>), so lines must come in log order and each jail needs its own instance.
 */
export interface Filter {
  readonly name: string;
  /**
   * The failure this line reports, or undefined (no match, ignored, or nothing to ban).
   * `knownTime`: the source's own time for the line (journal); the line is then not searched for a date.
   */
  match(line: string, now: number, knownTime?: number): Match | undefined;
  /** Like match, but says whether a line was missed or matched and then ignored. */
  classify(line: string, now: number, knownTime?: number): Outcome;
  /**
   * classify() for the complete lines of buf[from, to) in one native pass where it can (lane.ts):
   * each outcome to `each`, in order, with where its line starts and the next one does (and its
   * text when it was decoded on the way); returns where it stopped, `to` or the start of a line the
   * caller decodes and hands to classify() before calling again after it. Lines are cut as the
   * line splitter cuts them (tail/line-splitter.ts); lines over `maxLine` bytes are left to the caller.
   */
  readLines(buf: Buffer, from: number, to: number, now: number, maxLine: number, each: OutcomeSink): number;
  /**
   * What readLines() reads with, for reading several filters' lines together (group-lane.ts): a
   * lane, or a multi-line filter's buffered lane; undefined for a filter that has neither.
   */
  lane(): MemberLane | undefined;
  /** Lines each date template has won so far (those that won any): fail2ban-regex's "Date template hits". */
  dateHits(): { readonly name: string; readonly hits: number }[];
  /** Patterns that needed the bounded fallback, with the constructs that forced it. */
  readonly fallbacks: readonly Fallback[];
  /** Lines the bounded fallback gave up on (step or length bound), since load. */
  readonly limited: () => number;
  /**
   * Whether a line's failure depends on no earlier line but through its date (maxlines = 1, no
   * <F-MLFID> session), so parts of a log can be read apart (banctl regex on several threads).
   */
  readonly independentLines: boolean;
}

/**
 * A filter's patterns compiled once. Each jail of the filter that reads other files makes its
 * own Filter from it: ten jails of one filter took ten compilations, about 1 MiB each of RE2
 * programs for good (bench/figures/memory.mjs idle). Their `limited()` counts all of theirs.
 */
export interface CompiledFilter {
  /** A Filter of its own (its own state and date detector) on these patterns. */
  instance(): Filter;
}

function detectorOf(spec: FilterSpec, options: FilterOptions, problems: ConfigProblem[]): DateDetector {
  const tz = { ...(options.timezone ? { timezone: options.timezone } : {}), fixedTz: options.fixedTz };
  const d = detectorFor(spec.datepattern, tz);
  if ('error' in d) {
    problems.push({ file: spec.name, option: 'datepattern', message: d.error });
    return defaultDetector(tz);
  }
  return d;
}

/** Compiles every pattern; returns all problems when any fails. */
export function compileFilter(
  spec: FilterSpec,
  options: FilterOptions = {},
): { filter: Filter } | { problems: ConfigProblem[] } {
  const r = compileFilterOnce(spec, options);
  return 'problems' in r ? r : { filter: r.compiled.instance() };
}

/** compileFilter, for several Filters on the same patterns. */
export function compileFilterOnce(
  spec: FilterSpec,
  options: FilterOptions = {},
): { compiled: CompiledFilter } | { problems: ConfigProblem[] } {
  const usedns = options.usedns ?? 'warn';
  const maxlines = spec.maxlines ?? 1;
  const ctx: PatternContext = { problems: [], fallbacks: [], limits: new Limits() };
  const { problems } = ctx;
  const prefExpanded = spec.prefregex ? expandTags(spec.prefregex.pattern, usedns) : '';
  const prefregex = spec.prefregex
    ? compilePattern(spec.prefregex, prefExpanded, 'prefregex', ctx)
    : undefined;
  if (spec.prefregex && !/\(\?P<content>/.test(prefExpanded)) {
    problems.push({
      ...spec.prefregex,
      option: 'prefregex',
      message: 'prefregex needs <F-CONTENT>…</F-CONTENT>',
    });
  }
  const expanded = spec.failregex.map((p) => expandTags(p.pattern, usedns));
  const failregex = spec.failregex.flatMap((p, i): Pattern[] => {
    const python = expanded[i]!;
    if (!capturesHost(python) && !capturesHost(prefExpanded)) {
      problems.push({
        file: p.file,
        line: p.line,
        option: 'failregex',
        message: `no <HOST> in "${p.pattern}"`,
      });
      return [];
    }
    // fail2ban compiles failregex (only) with re.MULTILINE when it buffers several lines.
    const c = compilePattern(p, python, 'failregex', ctx, maxlines > 1);
    return c ? [c] : [];
  });
  const ignoreregex = spec.ignoreregex.flatMap((p): Pattern[] => {
    const c = compilePattern(p, expandTags(p.pattern, usedns), 'ignoreregex', ctx);
    return c ? [c] : [];
  });
  let detector: DateDetector | undefined = detectorOf(spec, options, problems);
  if (problems.length > 0) return { problems };
  const sessions = [prefExpanded, ...expanded].some((python) => python.includes('(?P<mlfid>'));
  const limits = ctx.limits;
  const instance = (): Filter => {
    // The first Filter takes the detector made above; later ones a fresh one (checked above).
    const own = detector ?? detectorOf(spec, options, []);
    detector = undefined;
    const finder = new FailureFinder({ prefregex, failregex, ignoreregex, detector: own, maxlines, usedns });
    return {
      name: spec.name,
      fallbacks: ctx.fallbacks,
      limited: () => limits.hits,
      independentLines: maxlines === 1 && !sessions,
      match(line, now, knownTime) {
        const r = finder.process(line, now, knownTime);
        return r.outcome === 'matched' ? r.match : undefined;
      },
      classify: (line, now, knownTime) => finder.process(line, now, knownTime),
      readLines: (buf, from, to, now, maxLine, each) => finder.readLines(buf, from, to, now, maxLine, each),
      lane: () => finder.groupLane(),
      dateHits: () => own.templateHits(),
    };
  };
  return { compiled: { instance } };
}
