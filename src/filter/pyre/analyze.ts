// Static facts about a parsed pattern: the width Python computes for look-behind bodies, and for
// each look-around, repeat or word boundary the characters that can come right after (or before)
// it and whether none may. These sets are over-approximations: a rewrite relying on one must hold
// for every character listed, so imprecision only forgoes a rewrite, never breaks one.

import type { Node } from './ast.ts';

/** [min, max] characters a node consumes, capped like Python's getwidth(). */
export type Width = readonly [number, number];

const MAXREPEAT = 4294967295;

const times = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b);

/** Python's SubPattern.getwidth(); `groups[n]` is the width of closed group n. */
export function widthOf(node: Node, groups: readonly (Width | undefined)[]): Width {
  const w = rawWidth(node, groups);
  return [Math.min(w[0], MAXREPEAT - 1), Math.min(w[1], MAXREPEAT)];
}

function rawWidth(node: Node, groups: readonly (Width | undefined)[]): Width {
  switch (node.type) {
    case 'char':
    case 'class':
    case 'any':
      return [1, 1];
    case 'empty':
    case 'assert':
    case 'look':
      return [0, 0];
    case 'seq':
      return node.items.reduce<Width>(
        (acc, n) => {
          const w = rawWidth(n, groups);
          return [acc[0] + w[0], acc[1] + w[1]];
        },
        [0, 0],
      );
    case 'alt': {
      const ws = node.alts.map((n) => rawWidth(n, groups));
      return [Math.min(...ws.map((w) => w[0])), Math.max(...ws.map((w) => w[1]))];
    }
    case 'group':
    case 'scoped':
    case 'atomic':
      return rawWidth(node.body, groups);
    case 'repeat': {
      const w = rawWidth(node.body, groups);
      return [times(w[0], node.min), times(w[1], node.max)];
    }
    case 'backref':
      return groups[node.index] ?? [0, Infinity];
    case 'cond': {
      const y = rawWidth(node.yes, groups);
      const n = rawWidth(node.no, groups);
      return [Math.min(y[0], n[0]), Math.max(y[1], n[1])];
    }
  }
}

/** What may come after a node: leaves (char, class, any) that can consume the next character. */
export interface Follow {
  /** 'any' when unknown or too large to list. */
  readonly first: readonly Node[] | 'any';
  /** The match may end (or reach an unanalysed context) without consuming another character. */
  readonly nullable: boolean;
}

// Beyond this many leaves a follow set is treated as unknown; rewrites then simply do not apply.
const MAX_LEAVES = 64;
const END: Follow = { first: [], nullable: true };
const UNKNOWN: Follow = { first: 'any', nullable: true };

function union(a: Follow['first'], b: Follow['first']): Follow['first'] {
  if (a === 'any' || b === 'any') return 'any';
  const all = [...new Set([...a, ...b])];
  return all.length > MAX_LEAVES ? 'any' : all;
}

/** `a` then `b`. */
function then(a: Follow, b: Follow): Follow {
  return a.nullable ? { first: union(a.first, b.first), nullable: b.nullable } : a;
}

type Direction = 'next' | 'prev';

/** The leaves that can consume a node's first (next) or last (prev) character. */
function edgeOf(node: Node, dir: Direction): Follow {
  switch (node.type) {
    case 'char':
    case 'class':
    case 'any':
      return { first: [node], nullable: false };
    case 'empty':
    case 'assert':
    case 'look':
      return END;
    case 'seq': {
      const items = dir === 'next' ? node.items : [...node.items].reverse();
      return items.reduceRight<Follow>((rest, n) => then(edgeOf(n, dir), rest), END);
    }
    case 'alt':
      return node.alts
        .map((a) => edgeOf(a, dir))
        .reduce((a, b) => ({ first: union(a.first, b.first), nullable: a.nullable || b.nullable }));
    case 'group':
    case 'scoped':
    case 'atomic':
      return edgeOf(node.body, dir);
    case 'repeat': {
      if (node.max === 0) return END;
      const body = edgeOf(node.body, dir);
      return node.min === 0 ? { first: body.first, nullable: true } : body;
    }
    case 'backref':
      return UNKNOWN;
    case 'cond': {
      const y = edgeOf(node.yes, dir);
      const n = edgeOf(node.no, dir);
      return { first: union(y.first, n.first), nullable: y.nullable || n.nullable };
    }
  }
}

/**
 * For every look-around, repeat and word-boundary node: what may come right after it in the whole
 * pattern (`next`), or right before it (`prev`, where the start of the pattern is unknown text).
 */
export function neighbours(root: Node, dir: Direction): Map<Node, Follow> {
  const out = new Map<Node, Follow>();
  const walk = (node: Node, next: Follow): void => {
    switch (node.type) {
      case 'seq': {
        let k = next;
        const items = dir === 'next' ? node.items : [...node.items].reverse();
        for (let i = items.length - 1; i >= 0; i--) {
          const item = items[i]!;
          walk(item, k);
          k = then(edgeOf(item, dir), k);
        }
        return;
      }
      case 'alt':
        for (const a of node.alts) walk(a, next);
        return;
      case 'group':
      case 'scoped':
      case 'atomic':
        walk(node.body, next);
        return;
      case 'cond':
        walk(node.yes, next);
        walk(node.no, next);
        return;
      case 'repeat': {
        out.set(node, next);
        // Beside one iteration is either another iteration or whatever is beside the repeat.
        const again = node.max > 1 ? then(edgeOf(node.body, dir), next) : next;
        walk(node.body, { first: union(again.first, next.first), nullable: next.nullable });
        return;
      }
      case 'look':
        out.set(node, next);
        // Inside a look-around the sub-match may end anywhere; nothing is known about what follows.
        walk(node.body, UNKNOWN);
        return;
      case 'assert':
        if (node.kind === 'boundary' || node.kind === 'nonboundary') out.set(node, next);
        return;
      default:
        return;
    }
  };
  walk(root, dir === 'next' ? END : UNKNOWN);
  return out;
}
