// Compiles a FilterConfig into a matcher: every failregex and ignoreregex becomes one RE2
// object at load, so matching is linear in the line length whatever the pattern or input.
// A pattern RE2 cannot compile is a configuration problem naming the filter file and line.

import RE2 from 're2';
import { type Address, parseAddress } from '../core/address.ts';
import type { ConfigProblem } from '../core/errors.ts';
import type { PatternSource } from '../core/types.ts';
import { splitDate } from './date.ts';
import { expandTags } from './host-tag.ts';

/** The part of a filter's configuration the matcher needs. */
export interface FilterSpec {
  readonly name: string;
  readonly failregex: readonly PatternSource[];
  readonly ignoreregex: readonly PatternSource[];
}

export interface Match {
  readonly address: Address;
  /** The line's own time, when it carries a date banhammer recognises. */
  readonly time: number | undefined;
  /** Index of the failregex that matched, for per-pattern statistics. */
  readonly pattern: number;
}

export interface Filter {
  readonly name: string;
  /** The failure this line reports, or undefined (no match, ignored, or no valid address). */
  match(line: string, now: number): Match | undefined;
}

function compileOne(p: PatternSource, needsHost: boolean): RE2 | ConfigProblem {
  const source = expandTags(p.pattern);
  if (needsHost && !/\(\?P?<host>/.test(source)) {
    return { file: p.file, line: p.line, option: 'failregex', message: `no <HOST> in "${p.pattern}"` };
  }
  try {
    return new RE2(source);
  } catch (err) {
    const why = (err as Error).message;
    return {
      file: p.file,
      line: p.line,
      option: needsHost ? 'failregex' : 'ignoreregex',
      message: `${why}: "${p.pattern}"`,
    };
  }
}

/** Compiles every pattern; returns all problems when any fails. */
export function compileFilter(spec: FilterSpec): { filter: Filter } | { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const compiled = (list: readonly PatternSource[], needsHost: boolean) =>
    list.flatMap((p) => {
      const r = compileOne(p, needsHost);
      if (r instanceof RE2) return [r];
      problems.push(r);
      return [];
    });
  const fail = compiled(spec.failregex, true);
  const ignore = compiled(spec.ignoreregex, false);
  if (problems.length > 0) return { problems };
  return {
    filter: {
      name: spec.name,
      match(line, now) {
        const { time, rest } = splitDate(line, now);
        for (let i = 0; i < fail.length; i++) {
          const m = fail[i]!.exec(rest);
          const host = m?.groups?.host;
          if (host === undefined) continue;
          for (const ig of ignore) if (ig.test(rest)) return undefined;
          const address = parseAddress(host);
          // A syntactically address-like but invalid capture (999.1.1.1) reports nothing.
          return address ? { address, time, pattern: i } : undefined;
        }
        return undefined;
      },
    },
  };
}
