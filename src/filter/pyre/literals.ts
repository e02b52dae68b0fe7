// The longest literal every match of a pattern must contain: a substring check (tens of
// nanoseconds) that rules a line out before any call into RE2 (which costs a microsecond even to
// say no, most of it crossing into native code). Only case-sensitive characters that a match
// cannot avoid count; anything optional, alternative or looked-at ends a run.

import type { Node } from './ast.ts';

/** The longest string every match of `root` contains; '' when there is none. */
export function requiredLiteral(root: Node): string {
  let best = '';
  const consider = (run: string) => {
    if (run.length > best.length) best = run;
  };
  const visit = (node: Node): void => {
    switch (node.type) {
      case 'char':
        if (!node.flags.i) consider(String.fromCodePoint(node.cp));
        return;
      case 'seq': {
        let run = '';
        for (const item of node.items) {
          if (item.type === 'char' && !item.flags.i) {
            run += String.fromCodePoint(item.cp);
            continue;
          }
          // Zero-width assertions consume nothing: the characters around them are adjacent.
          if (item.type === 'assert') continue;
          consider(run);
          run = '';
          visit(item);
        }
        consider(run);
        return;
      }
      case 'group':
      case 'scoped':
      case 'atomic':
        visit(node.body);
        return;
      case 'repeat':
        if (node.min >= 1) visit(node.body);
        return;
      default:
        // alt, class, any, look, backref, cond, empty: nothing every match must spell out.
        return;
    }
  };
  visit(root);
  return best;
}
