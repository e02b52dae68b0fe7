// Runs templates over one line. On libre2 (template.native) a template searches the line itself
// and reads UTF-16 spans back; on node-re2 the line is encoded to UTF-8 once and every template
// searches that buffer (node-re2 would otherwise re-encode the whole line per template). Both search
// the same bytes from the same offsets, so they find the same dates. A line-start template only
// sees the prefix its match can reach, so a 10 MB line costs it no more than a short one.

import { captured, type NativeMatcher } from '../native-regex.ts';
import type { Fields } from './strptime.ts';
import type { NativeTemplate, Template } from './template.ts';

const HEAD = 512;

/** A template's match: the date's extent in UTF-16 units, and its named groups. */
export interface Found {
  readonly start: number;
  readonly end: number;
  /** A named group's text; undefined when it took no part (or the template has no such group). */
  group(name: string): string | undefined;
  /** group() of each of the template's `names`, in order. */
  values(): (string | undefined)[];
}

/** One log line, with lazily built UTF-8 views. */
export class Subject {
  readonly line: string;
  #full: Buffer | undefined;
  #head: Buffer | undefined;
  #headChars = 0;

  constructor(line: string) {
    this.line = line;
  }

  full(): Buffer {
    this.#full ??= Buffer.from(this.line, 'utf8');
    return this.#full;
  }

  /** UTF-8 of at least the first `chars` UTF-16 units; any longer prefix reads the same. */
  head(chars: number): Buffer {
    if (this.#head && this.#headChars >= chars) return this.#head;
    // One prefix serves every line-start template, whose reaches are all well under this.
    const size = Math.max(chars, HEAD);
    if (size >= this.line.length) return this.full();
    this.#head = Buffer.from(this.line.slice(0, size), 'utf8');
    this.#headChars = size;
    return this.#head;
  }

  /** Byte offset of UTF-16 offset `i`. */
  byteOf(i: number): number {
    return this.full().length === this.line.length ? i : Buffer.byteLength(this.line.slice(0, i), 'utf8');
  }

  /** UTF-16 offset of byte offset `b` within `buf`, a prefix of this line's UTF-8. */
  charOf(buf: Buffer, b: number): number {
    const ascii = this.#full ? this.#full.length === this.line.length : isAscii(buf, b);
    return ascii ? b : buf.toString('utf8', 0, b).length;
  }
}

function isAscii(buf: Buffer, end: number): boolean {
  for (let i = 0; i < end; i++) if (buf[i]! > 0x7f) return false;
  return true;
}

// Start of the UTF-8 character after the one starting at byte `b`.
function nextChar(buf: Buffer, b: number): number {
  let k = b + 1;
  while (k < buf.length && (buf[k]! & 0xc0) === 0x80) k++;
  return k;
}

/**
 * The template's leftmost match in the line, or, with `window`, its leftmost match whose date starts
 * at or after `window.start` while the line is treated as ending at `window.end` (Python's
 * `search(line, pos, endpos)`: text before `pos` still counts as context for boundaries).
 */
export function search(t: Template, s: Subject, window?: { start: number; end: number }): Found | undefined {
  const n = t.native;
  if (!n) return searchBuffer(t, s, window);
  const r = rangeOf(t, n, s.line.length, window);
  return searchRange(n, s.line, r.re, r.from, r.end, r.floor);
}

/** Where a native search runs: the matcher, the offsets it searches from and cuts at, and the floor. */
export interface Range {
  readonly re: NativeMatcher;
  /** Where the search starts; what precedes it is context for ^ and \b. */
  readonly from: number;
  /** Where the line is cut: $ matches there. */
  readonly end: number;
  /** A date must start here or later. */
  readonly floor: number;
}

/**
 * Where a whole-line search of `t` cuts a line of `length` units: at its reach, which no path of
 * the template gets to (head() reads a longer prefix, alike), saving the addon the rest of the line.
 */
export function wholeEnd(t: Template, length: number): number {
  return Number.isFinite(t.reach) ? Math.min(length, t.reach) : length;
}

// The UTF-16 offsets below are those whose UTF-8 offsets searchBuffer computes (the addon converts
// them as Buffer does, a cut surrogate pair included), so the two search the same bytes.
export function rangeOf(
  t: Template,
  n: NativeTemplate,
  length: number,
  window: { start: number; end: number } | undefined,
): Range {
  if (!window) return { re: n.re, from: 0, end: wholeEnd(t, length), floor: 0 };
  let re = n.re;
  let from = 0;
  if (n.inner && window.start > 0) {
    re = n.inner;
    from = window.start - 1;
  } else if (!t.anchored) {
    from = t.kind === 'epoch' || t.kind === 'lepoch' ? 0 : window.start;
  }
  // Offsets past the line read as its end, as byteOf's slices do.
  const end = Math.min(window.end, length);
  return { re, from: Math.min(from, length), end, floor: Math.min(window.start, length) };
}

/** search() on libre2 with `re` from `from`, the line cut at `end`, for a date starting at `floor` or later. */
export function searchRange(
  n: NativeTemplate,
  line: string,
  re: NativeMatcher,
  start: number,
  end: number,
  floor: number,
): Found | undefined {
  let from = start;
  const spans = re.spans;
  for (;;) {
    // A search that would start past the end finds nothing, as node-re2 does with lastIndex past the buffer.
    if (from > end || !re.exec(line, from, end)) return undefined;
    const date = spans[2]!;
    if (date < 0) return undefined;
    if (date < floor) {
      from = Math.min(nextUnit(line, spans[0]!), line.length);
      continue;
    }
    // A copy: the matcher's spans are overwritten by its next search, and a found date may wait.
    // (A plain array: allocating a typed array costs more than the search's JS side.)
    const copy: number[] = new Array(spans.length);
    for (let i = 0; i < spans.length; i++) copy[i] = spans[i]!;
    return new LineFound(date, spans[3]!, line, copy, n);
  }
}

/** The Found of a match of `n`'s template on `line` whose spans sit in `spans` from `at` (a lane's row). */
export function foundIn(n: NativeTemplate, line: string, spans: Int32Array, at: number): Found {
  const count = n.re.names.length;
  const copy: number[] = new Array(2 * count);
  for (let i = 0; i < 2 * count; i++) copy[i] = spans[at + i]!;
  return new LineFound(copy[2]!, copy[3]!, line, copy, n);
}

class LineFound implements Found {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly line: string,
    readonly spans: readonly number[],
    readonly n: NativeTemplate,
  ) {}

  group(name: string): string | undefined {
    const i = this.n.index.get(name);
    return i === undefined ? undefined : this.#at(i);
  }

  values(): (string | undefined)[] {
    const slots = this.n.slots;
    const out: (string | undefined)[] = new Array(slots.length);
    for (let k = 0; k < slots.length; k++) out[k] = slots[k]! < 0 ? undefined : this.#at(slots[k]!);
    return out;
  }

  #at(i: number): string | undefined {
    const start = this.spans[2 * i]!;
    return start < 0 ? undefined : captured(this.line, start, this.spans[2 * i + 1]!);
  }
}

// Start of the character after the one starting at UTF-16 offset i (nextChar in UTF-16 units).
function nextUnit(line: string, i: number): number {
  const c = line.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && (line.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? i + 2 : i + 1;
}

class BufferFound implements Found {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly groups: Readonly<Record<string, [number, number] | undefined>>,
    readonly text: Buffer,
    readonly names: readonly string[],
  ) {}

  group(name: string): string | undefined {
    const at = this.groups[name];
    return at ? this.text.toString('utf8', at[0], at[1]) : undefined;
  }

  values(): (string | undefined)[] {
    return this.names.map((name) => this.group(name));
  }
}

function searchBuffer(t: Template, s: Subject, window?: { start: number; end: number }): Found | undefined {
  let buf: Buffer;
  let from = 0;
  let re = t.re;
  if (!window) {
    buf = Number.isFinite(t.reach) ? s.head(t.reach) : s.full();
  } else {
    buf = s.full().subarray(0, s.byteOf(window.end));
    if (t.inner && window.start > 0) {
      // The inner form consumes the character before the date itself, and has no `^` to misfire.
      re = t.inner;
      from = s.byteOf(window.start - 1);
    } else if (!t.anchored) {
      from = t.kind === 'epoch' || t.kind === 'lepoch' ? 0 : s.byteOf(window.start);
    }
  }
  const floor = window ? s.byteOf(window.start) : 0;
  for (;;) {
    re.lastIndex = from;
    const m = re.exec(buf);
    if (!m) return undefined;
    const date = m.indices?.[1];
    if (!date) return undefined;
    // The epoch template's prefixes ("[", "audit(") sit before the window; step past a date that
    // starts too early and search again from the next character.
    if (date[0] < floor) {
      from = nextChar(buf, m.index);
      continue;
    }
    const groups = m.indices?.groups ?? {};
    return new BufferFound(s.charOf(buf, date[0]), s.charOf(buf, date[1]), groups, buf, t.names);
  }
}

/** A match's named groups as text, by field, in the template's order (Python's groupdict). */
export function fieldsOf(t: Template, f: Found): Fields {
  return { keys: t.fields, values: f.values() };
}
