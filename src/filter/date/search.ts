// Runs templates over one line. On libre2 (template.native) a template searches the line itself
// and reads UTF-16 spans back; on node-re2 the line is encoded to UTF-8 once and every template
// searches that buffer (node-re2 would otherwise re-encode the whole line per template). Both search
// the same bytes from the same offsets, so they find the same dates. A line-start template only
// sees the prefix its match can reach, so a 10 MB line costs it no more than a short one.

import { captured } from '../native-regex.ts';
import type { NativeTemplate, Template } from './template.ts';

const HEAD = 512;

/** A template's match: the date's extent in UTF-16 units, and its named groups. */
export interface Found {
  readonly start: number;
  readonly end: number;
  /** A named group's text; undefined when it took no part (or the template has no such group). */
  group(name: string): string | undefined;
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
  return t.native ? searchLine(t, t.native, s.line, window) : searchBuffer(t, s, window);
}

// The UTF-16 offsets below are those whose UTF-8 offsets searchBuffer computes (the addon converts
// them as Buffer does, a cut surrogate pair included), so the two search the same bytes.
function searchLine(
  t: Template,
  n: NativeTemplate,
  line: string,
  window: { start: number; end: number } | undefined,
): Found | undefined {
  let re = n.re;
  let from = 0;
  let end: number;
  if (!window) {
    // head(): any prefix past the reach reads the same, the full line when it is shorter.
    end = Number.isFinite(t.reach) ? Math.min(line.length, Math.max(t.reach, HEAD)) : line.length;
  } else {
    end = Math.min(window.end, line.length);
    if (n.inner && window.start > 0) {
      re = n.inner;
      from = window.start - 1;
    } else if (!t.anchored) {
      from = t.kind === 'epoch' || t.kind === 'lepoch' ? 0 : window.start;
    }
  }
  // Offsets past the line read as its end, as byteOf's slices do; a search that would start past
  // the end finds nothing, as node-re2 does with lastIndex past the buffer.
  const floor = window ? Math.min(window.start, line.length) : 0;
  const spans = re.spans;
  for (;;) {
    from = Math.min(from, line.length);
    if (from > end || !re.exec(line, from, end)) return undefined;
    const start = spans[2]!;
    if (start < 0) return undefined;
    if (start < floor) {
      from = nextUnit(line, spans[0]!);
      continue;
    }
    // A copy: the matcher's spans are overwritten by its next search, and a found date may wait.
    // (A plain array: allocating a typed array costs more than the search's JS side.)
    const copy: number[] = new Array(spans.length);
    for (let i = 0; i < spans.length; i++) copy[i] = spans[i]!;
    return new LineFound(start, spans[3]!, line, copy, n.index);
  }
}

class LineFound implements Found {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly line: string,
    readonly spans: readonly number[],
    readonly index: ReadonlyMap<string, number>,
  ) {}

  group(name: string): string | undefined {
    const i = this.index.get(name);
    if (i === undefined) return undefined;
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
  ) {}

  group(name: string): string | undefined {
    const at = this.groups[name];
    return at ? this.text.toString('utf8', at[0], at[1]) : undefined;
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
    return new BufferFound(s.charOf(buf, date[0]), s.charOf(buf, date[1]), m.indices?.groups ?? {}, buf);
  }
}

/** A match's named groups as text, by field, in the template's order (Python's groupdict). */
export function fieldsOf(t: Template, f: Found): Array<[string, string | undefined]> {
  return t.names.map((name, i) => [t.fields[i]!, f.group(name)]);
}
