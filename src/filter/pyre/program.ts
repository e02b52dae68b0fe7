// Compiles a parsed pattern into the flat instruction list the confirming matcher runs. Repeats
// keep Python's sre semantics: an iteration count and the position where the last optional
// iteration began (sre's last_ptr) live in per-repeat variables, so counted repeats need no
// unrolling and an empty optional iteration ends the loop exactly where Python's would.

import { widthOf } from './analyze.ts';
import type { AssertKind, Node, Pattern } from './ast.ts';
import { type CharTest, charTest } from './charset.ts';

export type Inst =
  | { readonly op: 'char'; readonly test: CharTest }
  | { readonly op: 'assert'; readonly kind: AssertKind; readonly m: boolean; readonly a: boolean }
  /** Continue at pc+1; on failure resume at `alt`. */
  | { op: 'split'; alt: number }
  | { op: 'jmp'; to: number }
  | { readonly op: 'save'; readonly slot: number }
  | { readonly op: 'backref'; readonly group: number; readonly icase: boolean; readonly a: boolean }
  | { readonly op: 'repStart'; readonly rep: number }
  /** Loop head; its lazy-iteration entry is pc+1 and the body starts at pc+2. */
  | {
      readonly op: 'until';
      readonly rep: number;
      readonly min: number;
      readonly max: number;
      readonly lazy: boolean;
      exit: number;
    }
  | { readonly op: 'lazyIter'; readonly rep: number }
  /** Sub-match of the body at pc+1 (ended by 'match'), then continue at `next`. */
  | {
      op: 'look';
      readonly behind: boolean;
      readonly negated: boolean;
      readonly width: number;
      next: number;
    }
  | { op: 'atomic'; next: number }
  /** Possessive repeat: each iteration is an atomic sub-match of the body at pc+1. */
  | { op: 'poss'; readonly min: number; readonly max: number; next: number }
  /** Group set: continue at pc+1; otherwise at `no`. */
  | { op: 'cond'; readonly group: number; no: number }
  | { readonly op: 'match' };

export interface Program {
  readonly insts: readonly Inst[];
  /** Capture slots 2n and 2n+1 for group n, then two variables per repeat. */
  readonly vars: number;
  readonly repBase: number;
  readonly names: ReadonlyMap<string, number>;
  /** Every match must start at position 0 (\A or ^ without MULTILINE leads every branch). */
  readonly anchored: boolean;
  /** No match consumes fewer characters, so later start positions need not be tried. */
  readonly minWidth: number;
}

export function compile(pattern: Pattern): Program {
  const insts: Inst[] = [];
  let reps = 0;
  const push = <T extends Inst>(inst: T): T => {
    insts.push(inst);
    return inst;
  };
  const emit = (node: Node): void => {
    switch (node.type) {
      case 'empty':
        return;
      case 'char':
      case 'class':
      case 'any':
        push({ op: 'char', test: charTest(node)! });
        return;
      case 'assert':
        push({ op: 'assert', kind: node.kind, m: node.flags.m, a: node.flags.a });
        return;
      case 'seq':
        for (const item of node.items) emit(item);
        return;
      case 'alt': {
        const jumps: { op: 'jmp'; to: number }[] = [];
        for (const alt of node.alts.slice(0, -1)) {
          const split = push({ op: 'split', alt: -1 });
          emit(alt);
          jumps.push(push({ op: 'jmp', to: -1 }));
          split.alt = insts.length;
        }
        emit(node.alts[node.alts.length - 1]!);
        for (const j of jumps) j.to = insts.length;
        return;
      }
      case 'group':
        push({ op: 'save', slot: 2 * node.index });
        emit(node.body);
        push({ op: 'save', slot: 2 * node.index + 1 });
        return;
      case 'scoped':
        emit(node.body);
        return;
      case 'atomic':
      case 'look': {
        const head = push(
          node.type === 'atomic'
            ? { op: 'atomic', next: -1 }
            : { op: 'look', behind: node.behind, negated: node.negated, width: node.width, next: -1 },
        );
        emit(node.body);
        push({ op: 'match' });
        head.next = insts.length;
        return;
      }
      case 'backref':
        push({ op: 'backref', group: node.index, icase: node.flags.i, a: node.flags.a });
        return;
      case 'cond': {
        const head = push({ op: 'cond', group: node.index, no: -1 });
        emit(node.yes);
        const skip = push({ op: 'jmp', to: -1 });
        head.no = insts.length;
        emit(node.no);
        skip.to = insts.length;
        return;
      }
      case 'repeat': {
        // {0} never tries its body (sre's UNTIL goes straight to the tail).
        if (node.max === 0) return;
        if (node.mode === 'possessive') {
          const head = push({ op: 'poss', min: node.min, max: node.max, next: -1 });
          emit(node.body);
          push({ op: 'match' });
          head.next = insts.length;
          return;
        }
        const rep = reps++;
        push({ op: 'repStart', rep });
        const head = insts.length;
        const until = push({
          op: 'until',
          rep,
          min: node.min,
          max: node.max,
          lazy: node.mode === 'lazy',
          exit: -1,
        });
        push({ op: 'lazyIter', rep });
        emit(node.body);
        push({ op: 'jmp', to: head });
        until.exit = insts.length;
        return;
      }
    }
  };
  emit(pattern.root);
  push({ op: 'match' });
  const repBase = 2 * (pattern.groups + 1);
  return {
    insts,
    vars: repBase + 2 * reps,
    repBase,
    names: pattern.names,
    anchored: anchored(pattern.root),
    // Backreferences count as width 0 here (no group widths given): a safe lower bound.
    minWidth: widthOf(pattern.root, [])[0],
  };
}

function anchored(node: Node): boolean {
  switch (node.type) {
    case 'assert':
      return node.kind === 'start' || (node.kind === 'bol' && !node.flags.m);
    case 'seq':
      return node.items.length > 0 && anchored(node.items[0]!);
    case 'alt':
      return node.alts.every(anchored);
    case 'group':
    case 'scoped':
    case 'atomic':
      return anchored(node.body);
    default:
      return false;
  }
}
