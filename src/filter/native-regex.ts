// The filter's fast path to RE2: libre2 through native/ (banhammer_re2.node, see native/README.md),
// whose exec writes match and group spans (UTF-16 offsets) into one Int32Array per pattern instead
// of building result objects as node-re2 does (a date template's exec: 12 us there, 0.4 us here).
// Every pattern is still compiled by node-re2 first, which keeps its error messages and its
// syntax; a source goes native only when libre2 compiles it too. Without the addon, or for a
// source libre2 refuses, the filter runs on node-re2 exactly as before.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** One compiled pattern (native/src/re2/matcher.cc). */
export interface NativeMatcher {
  /**
   * After a successful exec, group i's span at [2i, 2i + 1] in UTF-16 offsets, group 0 being the
   * match; -1, -1 for a group that took no part. One array per matcher, overwritten by each exec.
   */
  readonly spans: Int32Array;
  /** Group names by group number; '' for group 0 and for unnamed groups. */
  readonly names: readonly string[];
  /**
   * RE2's leftmost match that starts in [start, end), the text being cut at `end` (`$` matches
   * there) while what precedes `start` still counts for `^` and `\b`: node-re2's `lastIndex`.
   */
  exec(text: string, start: number, end: number): boolean;
  /** Whether the text contains a match. */
  test(text: string): boolean;
  /** Whether exec reads groups of ASCII text with PCRE2's JIT (native/src/re2/captures.h). */
  readonly fastCaptures: boolean;
  /** The compiled program, for lanes (NativeRegexAddon.lane); opaque here. */
  readonly handle: unknown;
}

/** Many lines through a filter's usual path in one call: native/src/re2/lane.h, src/filter/lane.ts. */
export interface NativeLane {
  /**
   * Reads the complete lines of buf[from, to) while each keeps to the usual path, one row each
   * in `rows` (layout: native/src/re2/lane.cc); returns how many it read. `reach`: where the date
   * search cuts a line (-1: nowhere); `maxLine`: the longest line it reads, in bytes.
   */
  scan(
    buf: Uint8Array,
    from: number,
    to: number,
    date: unknown,
    reach: number,
    maxLine: number,
    rows: Int32Array,
  ): number;
  /** Numbers at the start of every row, before the date's spans. */
  readonly head: number;
  /** The most groups (group 0 included) of any of the lane's failregexes. */
  readonly failGroups: number;
  /** prefregex's groups (group 0 included), 0 without one; its spans come before the failregex's. */
  readonly prefGroups: number;
  /** The lane, for group(); opaque here. */
  readonly state: unknown;
  /** Row [4] of a line an ignoreregex checked first took (nativeLane's `ignores`). */
  readonly ignored: number;
}

/**
 * Lanes that read the same lines with the same date template: each line's date read once for all
 * (native/src/re2/lane.cc GroupScan, src/filter/group-lane.ts).
 */
export interface NativeGroup {
  /**
   * NativeLane.scan for every member at once, with rows only for a line's new date (member -1)
   * and for a member's line that did not miss; `last` gets the rows written, whether the scan
   * stopped at a line off the path, and the last line read. Returns the lines read.
   */
  scan(...args: [...Parameters<NativeLane['scan']>, last: Int32Array]): number;
  readonly head: number;
  /** Numbers of a row after the date's spans: the most any member needs. */
  readonly extra: number;
}

/** A lane's prefregex: its program, literal, and the group number of <F-CONTENT> (-1: none). */
export interface LanePrefregex {
  readonly matcher: NativeMatcher;
  readonly literal: string;
  readonly content: number;
}

/**
 * What rules a line out before a lane's matcher runs, in native code: `gate`, strings one of which
 * every match contains (a group lane looks for all its members' at once; pyre/literals.ts); `lead`,
 * the bytes a match anchored at the start of the text begins with (pyre/lead.ts).
 */
export interface LaneGates {
  readonly gate: readonly string[];
  readonly lead: Uint8Array | undefined;
}

/** LaneGates as the addon takes them. */
interface NativeGates {
  gate: readonly string[];
  lead: Uint8Array | null;
}

/** What native/build/Release/banhammer_re2.node exports. */
export interface NativeRegexAddon {
  /**
   * `longest`: leftmost-longest matches (RE2's longest_match) instead of leftmost-first.
   * `fastCaptures`: read groups with PCRE2 where the addon finds that safe; the caller vouches
   * that the pattern repeats nothing that can match empty (pyre/empty-repeat.ts).
   */
  compile(source: string, caseless?: boolean, longest?: boolean, fastCaptures?: boolean): NativeMatcher;
  /**
   * A lane over these failregexes, in order, each behind its required literal ('' for none);
   * `confirms[i]`: failregex i is an RE2 superset whose matches the caller confirms.
   */
  lane(
    failregexes: readonly unknown[],
    literals: readonly string[],
    prefregex?: { handle: unknown; literal: string; content: number } | undefined,
    confirms?: readonly boolean[],
    ignores?: { handles: readonly unknown[]; literals: readonly string[] },
    /**
     * Per failregex (and for prefregex): strings one of which every match contains, which a group
     * lane looks for instead of the literal; and the bytes an anchored match begins with, 32 a
     * position (pyre/lead.ts), checked before the matcher runs.
     */
    gates?: { fails: readonly NativeGates[]; pref: NativeGates | null },
  ): NativeLane;
  group(states: readonly unknown[]): NativeGroup;
  /** The libre2 version the addon was built against, e.g. `20220601`. */
  readonly libraryVersion: string;
}

// Relative to this module in src/filter/ and in dist/filter/ alike; absolute, so a load error
// names the file an operator should look for.
const ADDON = fileURLToPath(new URL('../../native/build/Release/banhammer_re2.node', import.meta.url));

/** Loads the compiled addon; throws (MODULE_NOT_FOUND, a dlopen error) when it is not usable. */
export function loadNativeRegexAddon(): NativeRegexAddon {
  return createRequire(import.meta.url)(ADDON) as NativeRegexAddon;
}

// Loaded once, at the first pattern compiled; like node-re2's own module, shared process-wide.
let addon: NativeRegexAddon | null | undefined;

function loaded(): NativeRegexAddon | undefined {
  if (addon === undefined) {
    try {
      addon = loadNativeRegexAddon();
    } catch {
      addon = null;
    }
  }
  return addon ?? undefined;
}

/** The engine the filters use, for `banctl regex`: `native RE2 (libre2 20220601)` or `node-re2`. */
export function regexEngine(): string {
  const a = loaded();
  return a ? `native RE2 (libre2 ${a.libraryVersion})` : 'node-re2';
}

/**
 * `source` (RE2 syntax, already accepted by node-re2 without flags) compiled by libre2, or undefined
 * when it stays on node-re2: the addon is not built, or libre2 refuses the source. `longest`: a
 * leftmost-longest matcher, which node-re2 has no counterpart for (date/viable.ts uses it).
 * `fastCaptures`: see NativeRegexAddon.compile. node-re2 rewrites
 * a few JavaScript spellings before RE2 sees them (`(?<name>`, `\uXXXX`, `\cX`, `\p{Letter}`);
 * libre2 refuses each of them, so a source that compiles here means what it means to node-re2.
 */
export function nativeMatcher(
  source: string,
  { longest = false, fastCaptures = false }: { longest?: boolean; fastCaptures?: boolean } = {},
): NativeMatcher | undefined {
  const a = loaded();
  if (!a) return undefined;
  try {
    return a.compile(source, false, longest, fastCaptures);
  } catch {
    return undefined;
  }
}

/**
 * A lane over these matchers (see NativeLane), or undefined without the addon. `ignores`: the
 * ignoreregexes to check before anything else, each behind its literal.
 */
export function nativeLane(
  failregexes: readonly NativeMatcher[],
  literals: readonly string[],
  prefregex?: LanePrefregex,
  confirms?: readonly boolean[],
  ignores?: { matchers: readonly NativeMatcher[]; literals: readonly string[] },
  gates?: { fails: readonly LaneGates[]; pref: LaneGates | undefined },
): NativeLane | undefined {
  const a = loaded();
  if (!a || typeof a.lane !== 'function') return undefined;
  return a.lane(
    failregexes.map((m) => m.handle),
    literals,
    prefregex && { handle: prefregex.matcher.handle, literal: prefregex.literal, content: prefregex.content },
    confirms,
    ignores && { handles: ignores.matchers.map((m) => m.handle), literals: ignores.literals },
    gates && {
      fails: gates.fails.map((g) => ({ gate: g.gate, lead: g.lead ?? null })),
      pref: gates.pref ? { gate: gates.pref.gate, lead: gates.pref.lead ?? null } : null,
    },
  );
}

/** A group of these lanes (see NativeGroup), or undefined without an addon that has group(). */
export function nativeGroup(lanes: readonly NativeLane[]): NativeGroup | undefined {
  const a = loaded();
  if (!a || typeof a.group !== 'function') return undefined;
  return a.group(lanes.map((l) => l.state));
}

interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * text.slice(start, end) as node-re2 returns a capture: it reads the text as UTF-8, where a lone
 * surrogate is U+FFFD. (A log line decoded from bytes never has one; a journal field might.)
 */
export function captured(text: string, start: number, end: number): string {
  const s = text.slice(start, end) as string & WellFormed;
  return s.isWellFormed() ? s : s.toWellFormed();
}

// node-re2's `groups` has no prototype, so a group named like an Object member (`constructor`,
// `__proto__`) reads and writes as a group. Instances of this constructor behave the same, since
// nothing but an empty prototype-less object sits behind them, and stay fast-property objects
// (Object.create(null) gives a dictionary: 4x slower to fill, 20x slower to spread).
const Groups = function (this: object) {} as unknown as new () => Record<string, string | undefined>;
Groups.prototype = Object.create(null);

/**
 * A reader of a match's named groups, built once per pattern: the object node-re2 puts in
 * `match.groups` (every name, in group order; undefined for a group that took no part), or `{}` for a
 * pattern without names, where node-re2 has none and callers used `{}`.
 */
export function groupsReader(
  names: readonly string[],
): (text: string, spans: Int32Array, at?: number) => Record<string, string | undefined> {
  const named: Array<readonly [string, number]> = [];
  names.forEach((name, i) => {
    if (name !== '') named.push([name, i]);
  });
  if (named.length === 0) return () => ({});
  // `at`: where group 0's span starts in `spans` (a lane's row holds several matches' spans).
  return (text, spans, at = 0) => {
    const groups = new Groups();
    for (const [name, i] of named) {
      const start = spans[at + 2 * i]!;
      groups[name] = start < 0 ? undefined : captured(text, start, spans[at + 2 * i + 1]!);
    }
    return groups;
  };
}
