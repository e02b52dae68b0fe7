// Whether a pattern repeats something that can match empty, as in (a*)*, (a|)+ or (x?)?. There
// backtracking matchers (Python, PCRE) and RE2 may read different groups from the same match: they
// differ in how an empty iteration ends a loop. Elsewhere, for the same match, both read the
// leftmost-first groups. The native matcher reads groups with PCRE2 only where this says no.

import { widthOf } from './analyze.ts';
import type { Node } from './ast.ts';

// Python's minimum width, back-references counted as possibly empty.
const canMatchEmpty = (node: Node): boolean => widthOf(node, [])[0] === 0;

export function repeatsEmpty(node: Node): boolean {
  switch (node.type) {
    case 'seq':
      return node.items.some(repeatsEmpty);
    case 'alt':
      return node.alts.some(repeatsEmpty);
    case 'group':
    case 'scoped':
    case 'atomic':
    case 'look':
      return repeatsEmpty(node.body);
    case 'cond':
      return repeatsEmpty(node.yes) || repeatsEmpty(node.no);
    case 'repeat':
      return canMatchEmpty(node.body) || repeatsEmpty(node.body);
    default:
      return false;
  }
}
