// The Confirmer: Python `re.search` on one line under hard bounds (line length, steps), over the
// machine of match.ts. Trade-off: a line that needs more than the budget is reported as 'limit',
// never guessed; the caller decides what an unconfirmed line means.

import { exec, LIMIT, type State } from './match.ts';
import type { Program } from './program.ts';

/** Confirms a superset RE2 match with Python semantics. */
export interface Confirmer {
  /** Python re.search semantics on `text`; named groups as captured by Python; 'limit' when the step or length bound was hit. */
  search(
    text: string,
  ): { groups: Record<string, string | undefined>; index: number; end: number } | null | 'limit';
}

/**
 * Bounds on one confirmation. 8 KiB is beyond any real log line (RFC 3164 syslog caps a message at
 * 1 KiB, rsyslog's default at 8 KiB), so longer text is hostile or garbled. 100,000 steps (a step is
 * one instruction or one backtrack, about 20 ns) cap a line at about 2 ms: fail2ban's stock patterns
 * confirm their sample lines in under 3,000 steps and the same lines padded by 1 KiB in under
 * 15,000, while a ReDoS such as (a*)*b on 8 KiB of 'a' is exponential and would never finish.
 */
export const CONFIRM_LIMITS: { readonly maxLineLength: number; readonly maxSteps: number } = Object.freeze({
  maxLineLength: 8192,
  maxSteps: 100_000,
});

function codePoints(text: string): { cps: Int32Array; offsets: Int32Array | undefined } {
  if (!/[\uD800-\uDFFF]/.test(text)) {
    const cps = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) cps[i] = text.charCodeAt(i);
    return { cps, offsets: undefined };
  }
  const list: number[] = [];
  const offs: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    list.push(cp);
    offs.push(i);
    i += cp > 0xffff ? 2 : 1;
  }
  offs.push(text.length);
  return { cps: Int32Array.from(list), offsets: Int32Array.from(offs) };
}

/** A Confirmer over `prog`; `limits` defaults to CONFIRM_LIMITS. Indexes are UTF-16, as in JS. */
export function confirmer(prog: Program, limits = CONFIRM_LIMITS): Confirmer {
  return {
    search(text) {
      if (text.length > limits.maxLineLength) return 'limit';
      const { cps, offsets } = codePoints(text);
      const at = (i: number) => (offsets ? offsets[i]! : i);
      const st: State = {
        prog,
        cps,
        vars: new Int32Array(prog.vars).fill(-1),
        trail: [],
        stack: [],
        steps: 0,
        maxSteps: limits.maxSteps,
      };
      try {
        for (let start = 0; start <= cps.length - prog.minWidth; start++) {
          const end = exec(st, 0, start);
          if (end >= 0) {
            const groups: Record<string, string | undefined> = {};
            for (const [name, g] of prog.names) {
              const s = st.vars[2 * g]!;
              const e = st.vars[2 * g + 1]!;
              groups[name] = s >= 0 && e >= 0 ? text.slice(at(s), at(Math.max(s, e))) : undefined;
            }
            return { groups, index: at(start), end: at(end) };
          }
          if (prog.anchored) break;
        }
        return null;
      } catch (err) {
        if (err === LIMIT) return 'limit';
        throw err;
      }
    },
  };
}
