// The longest literal every match of a pattern must contain: a substring check (tens of
// nanoseconds) that rules a line out before any call into RE2 (which costs a microsecond even to
// say no, most of it crossing into native code). Only case-sensitive characters that a match
// cannot avoid count; anything optional, alternative or looked-at ends a run.

import type { Node } from './ast.ts';

/** The longest string every match of `root` contains; '' when there is none. */
export function requiredLiteral(root: Node): string {
  return required(root, false)?.[0] ?? '';
}

/** Most alternatives a required set may have: each is one more literal in a group's literal set. */
const MAX_ALTERNATIVES = 16;

/** A set's worth as a gate: its shortest string (the likeliest to be in a line by chance). */
const shortest = (set: readonly string[]) => Math.min(...set.map((s) => s.length));

/** The better gate of two: the longer shortest string, then the fewer strings. */
function better(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): readonly string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  const [sa, sb] = [shortest(a), shortest(b)];
  if (sa !== sb) return sa > sb ? a : b;
  return b.length < a.length ? b : a;
}

/**
 * Strings of which every match of `root` contains at least one: requiredLiteral() as a set of one,
 * or the branches of a required alternation, `(?:NOTICE|SECURITY|WARNING)`, when its shortest is
 * longer than the best single literal (a group lane looks for all of a member's strings at once,
 * lane.cc). Empty when there is none.
 */
export function requiredAnyOf(root: Node): string[] {
  const set = required(root, true);
  return set?.every((s) => s !== '') ? [...set] : [];
}

/** The best set of strings every match contains one of; with `alternatives` false, sets of one. */
function required(root: Node, alternatives: boolean): readonly string[] | undefined {
  const visit = (node: Node): readonly string[] | undefined => {
    switch (node.type) {
      case 'char':
        return node.flags.i ? undefined : [String.fromCodePoint(node.cp)];
      case 'seq': {
        let best: readonly string[] | undefined;
        let run = '';
        for (const item of node.items) {
          if (item.type === 'char' && !item.flags.i) {
            run += String.fromCodePoint(item.cp);
            continue;
          }
          // Zero-width assertions consume nothing: the characters around them are adjacent.
          if (item.type === 'assert') continue;
          if (run !== '') best = better(best, [run]);
          run = '';
          best = better(best, visit(item));
        }
        if (run !== '') best = better(best, [run]);
        return best;
      }
      case 'alt': {
        if (!alternatives) return undefined;
        const all = new Set<string>();
        for (const branch of node.alts) {
          const set = visit(branch);
          if (!set) return undefined;
          for (const s of set) all.add(s);
        }
        return all.size <= MAX_ALTERNATIVES ? [...all] : undefined;
      }
      case 'group':
      case 'scoped':
      case 'atomic':
        return visit(node.body);
      case 'repeat':
        return node.min >= 1 ? visit(node.body) : undefined;
      default:
        // class, any, look, backref, cond, empty: nothing every match must spell out.
        return undefined;
    }
  };
  return visit(root);
}
