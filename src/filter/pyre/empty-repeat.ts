// Whether a pattern repeats something that can match empty, as in (a*)*, (a|)+ or (x?)?. There
// backtracking matchers (Python, PCRE) and RE2 may read different groups from the same match: they
// differ in how an empty iteration ends a loop. Elsewhere, for the same match, both read the
// leftmost-first groups. The native matcher reads groups with PCRE2 only where this says no.

import type { Node } from './ast.ts';

function canMatchEmpty(node: Node): boolean {
  switch (node.type) {
    case 'char':
    case 'class':
    case 'any':
      return false;
    case 'seq':
      return node.items.every(canMatchEmpty);
    case 'alt':
      return node.alts.some(canMatchEmpty);
    case 'group':
    case 'scoped':
    case 'atomic':
      return canMatchEmpty(node.body);
    case 'cond':
      return canMatchEmpty(node.yes) || canMatchEmpty(node.no);
    case 'repeat':
      return node.min === 0 || canMatchEmpty(node.body);
    default:
      // empty, assertions, look-arounds, back-references: zero width, or possibly so.
      return true;
  }
}

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
