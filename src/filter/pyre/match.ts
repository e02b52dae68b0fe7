// The backtracking machine behind the Confirmer: Python's sre semantics over a compiled program,
// with an explicit choice stack and an undo trail (captures and repeat counters), so memory and
// time are bounded by the step budget rather than by the call stack. Only look-arounds, atomic
// groups and possessive repeats recurse, and only as deep as they nest in the pattern (<= 100).

import type { AssertKind } from './ast.ts';
import { isWord, lower } from './charset.ts';
import type { Program } from './program.ts';

/** Thrown through nested runs when the step budget is spent; caught once, by the search. */
export const LIMIT = new Error('pyre: step limit');

/** One search: the text, capture and repeat variables, the undo trail and the choice stack. */
export interface State {
  readonly prog: Program;
  readonly cps: Int32Array;
  readonly vars: Int32Array;
  readonly trail: number[];
  readonly stack: number[];
  steps: number;
  readonly maxSteps: number;
}

function set(st: State, i: number, v: number): void {
  st.trail.push(i, st.vars[i]!);
  st.vars[i] = v;
}

function undo(st: State, to: number): void {
  const { trail, vars } = st;
  while (trail.length > to) {
    const old = trail.pop()!;
    vars[trail.pop()!] = old;
  }
}

function assertAt(kind: AssertKind, m: boolean, a: boolean, cps: Int32Array, pos: number): boolean {
  const n = cps.length;
  switch (kind) {
    case 'bol':
      return pos === 0 || (m && cps[pos - 1] === 10);
    case 'eol':
      return pos === n || (cps[pos] === 10 && (m || pos === n - 1));
    case 'start':
      return pos === 0;
    case 'end':
      return pos === n;
    default: {
      // sre: neither \b nor \B matches anywhere in an empty string.
      if (n === 0) return false;
      const before = pos > 0 && isWord(cps[pos - 1]!, a);
      const after = pos < n && isWord(cps[pos]!, a);
      return (before !== after) === (kind === 'boundary');
    }
  }
}

function groupSet(vars: Int32Array, g: number): boolean {
  const s = vars[2 * g]!;
  const e = vars[2 * g + 1]!;
  return s >= 0 && e >= s;
}

/** Runs the program from `pc` at `pos`; the end position of the first success, or -1. */
export function exec(st: State, pc0: number, pos0: number): number {
  const { prog, cps, vars, trail, stack } = st;
  const insts = prog.insts;
  const n = cps.length;
  const base = stack.length;
  const trailBase = trail.length;
  let pc = pc0;
  let pos = pos0;
  for (;;) {
    if (++st.steps > st.maxSteps) throw LIMIT;
    const inst = insts[pc]!;
    let ok = true;
    switch (inst.op) {
      case 'char':
        if (pos < n && inst.test(cps[pos]!)) {
          pos++;
          pc++;
        } else ok = false;
        break;
      case 'assert':
        if (assertAt(inst.kind, inst.m, inst.a, cps, pos)) pc++;
        else ok = false;
        break;
      case 'split':
        stack.push(inst.alt, pos, trail.length);
        pc++;
        break;
      case 'jmp':
        pc = inst.to;
        break;
      case 'save':
        set(st, inst.slot, pos);
        pc++;
        break;
      case 'backref': {
        ok = groupSet(vars, inst.group);
        const s = vars[2 * inst.group]!;
        const len = vars[2 * inst.group + 1]! - s;
        if (ok && pos + len > n) ok = false;
        for (let k = 0; ok && k < len; k++) {
          const x = cps[s + k]!;
          const y = cps[pos + k]!;
          ok = x === y || (inst.icase && (!inst.a || (x < 128 && y < 128)) && lower(x) === lower(y));
        }
        if (ok) {
          pos += len;
          pc++;
        }
        break;
      }
      case 'repStart': {
        const r = prog.repBase + 2 * inst.rep;
        set(st, r, -1);
        set(st, r + 1, -1);
        pc++;
        break;
      }
      case 'until': {
        const r = prog.repBase + 2 * inst.rep;
        const count = vars[r]! + 1;
        if (count < inst.min) {
          set(st, r, count);
          pc += 2;
        } else if (count < inst.max && pos !== vars[r + 1]) {
          // sre's zero-width protection: no optional iteration where the last one began.
          if (inst.lazy) {
            stack.push(pc + 1, pos, trail.length);
            pc = inst.exit;
          } else {
            stack.push(inst.exit, pos, trail.length);
            set(st, r, count);
            set(st, r + 1, pos);
            pc += 2;
          }
        } else pc = inst.exit;
        break;
      }
      case 'lazyIter': {
        const r = prog.repBase + 2 * inst.rep;
        set(st, r, vars[r]! + 1);
        set(st, r + 1, pos);
        pc++;
        break;
      }
      case 'look': {
        const mark = trail.length;
        const from = inst.behind ? pos - inst.width : pos;
        const end = from < 0 ? -1 : exec(st, pc + 1, from);
        if (inst.negated && end >= 0) undo(st, mark);
        ok = end >= 0 !== inst.negated;
        if (ok) pc = inst.next;
        break;
      }
      case 'atomic': {
        const end = exec(st, pc + 1, pos);
        ok = end >= 0;
        if (ok) [pos, pc] = [end, inst.next];
        break;
      }
      case 'poss': {
        const mark = trail.length;
        let count = 0;
        let at = pos;
        for (; ok && count < inst.min; count++) {
          at = exec(st, pc + 1, at);
          ok = at >= 0;
        }
        if (!ok) {
          undo(st, mark);
          break;
        }
        for (let last = -1; count < inst.max && at !== last; count++) {
          last = at;
          const end = exec(st, pc + 1, at);
          if (end < 0) break;
          at = end;
        }
        [pos, pc] = [at, inst.next];
        break;
      }
      case 'cond':
        pc = groupSet(vars, inst.group) ? pc + 1 : inst.no;
        break;
      case 'match':
        stack.length = base;
        return pos;
    }
    if (ok) continue;
    if (stack.length === base) {
      undo(st, trailBase);
      return -1;
    }
    if (++st.steps > st.maxSteps) throw LIMIT;
    undo(st, stack.pop()!);
    pos = stack.pop()!;
    pc = stack.pop()!;
  }
}
