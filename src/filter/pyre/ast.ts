// The parsed form of a Python `re` pattern, shared by the RE2 emitter and the confirming matcher.
// Flags are resolved onto the nodes they affect (IGNORECASE on characters, DOTALL on '.', MULTILINE
// on anchors, ASCII on categories), so a subtree means the same wherever it is emitted or copied.

/** Inline flags in effect at a node: (?i), (?m), (?s) and (?a); (?x) is consumed by the parser. */
export interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly a: boolean;
}

/** \d, \w, \s (negated: \D, \W, \S). */
export type Category = 'd' | 'w' | 's';

export type ClassItem =
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'category'; readonly cat: Category; readonly negated: boolean };

/** ^ $ \A \Z \b \B. */
export type AssertKind = 'bol' | 'eol' | 'start' | 'end' | 'boundary' | 'nonboundary';

export type RepeatMode = 'greedy' | 'lazy' | 'possessive';

export type Node =
  | { readonly type: 'empty' }
  | { readonly type: 'char'; readonly cp: number; readonly flags: Flags }
  | {
      readonly type: 'class';
      readonly negated: boolean;
      readonly items: readonly ClassItem[];
      readonly flags: Flags;
    }
  | { readonly type: 'any'; readonly flags: Flags }
  | { readonly type: 'assert'; readonly kind: AssertKind; readonly flags: Flags }
  | { readonly type: 'seq'; readonly items: readonly Node[] }
  | { readonly type: 'alt'; readonly alts: readonly Node[] }
  | { readonly type: 'group'; readonly index: number; readonly name: string | undefined; readonly body: Node }
  /** (?:...) and (?flags:...); `flags` are those in effect inside. */
  | { readonly type: 'scoped'; readonly flags: Flags; readonly body: Node }
  | { readonly type: 'atomic'; readonly body: Node }
  | {
      readonly type: 'look';
      readonly behind: boolean;
      readonly negated: boolean;
      /** Fixed width of a look-behind body (Python requires one); 0 for look-ahead. */
      readonly width: number;
      readonly body: Node;
    }
  | { readonly type: 'backref'; readonly index: number; readonly flags: Flags }
  | { readonly type: 'cond'; readonly index: number; readonly yes: Node; readonly no: Node }
  | {
      readonly type: 'repeat';
      readonly min: number;
      /** Infinity for an unbounded repeat. */
      readonly max: number;
      readonly mode: RepeatMode;
      readonly body: Node;
    };

export interface Pattern {
  readonly root: Node;
  /** Number of capturing groups; group numbers run 1..groups. */
  readonly groups: number;
  readonly names: ReadonlyMap<string, number>;
  /** Flags set by a leading (?flags) group, in effect for the whole pattern. */
  readonly flags: Flags;
}

export const NO_FLAGS: Flags = { i: false, m: false, s: false, a: false };

/** A pattern Python would refuse (or banhammer cannot take), with a 1-based column where known. */
export class PatternError extends Error {
  readonly code = 'EPATTERN';
  constructor(
    message: string,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'PatternError';
  }
}
