// Runs templates over one line. The line is encoded to UTF-8 once and every template searches that
// buffer (node-re2 would otherwise re-encode the whole line per template); a line-start template only
// sees the prefix its match can reach, so a 10 MB line costs it no more than a short one.

import type { Template } from './template.ts';

const HEAD = 512;

/** A template's match: the date's extent in UTF-16 units, and the buffer it came from. */
export interface Found {
  readonly start: number;
  readonly end: number;
  readonly groups: Readonly<Record<string, [number, number] | undefined>>;
  readonly text: Buffer;
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
    return {
      start: s.charOf(buf, date[0]),
      end: s.charOf(buf, date[1]),
      groups: m.indices?.groups ?? {},
      text: buf,
    };
  }
}

/**
 * A match's named groups as text, in the template's order (Python's groupdict). A template that needs
 * one field in several branches names the copies m_2, m_3: they report as m.
 */
export function fieldsOf(t: Template, f: Found): Array<[string, string | undefined]> {
  return t.names.map((name) => {
    const at = f.groups[name];
    return [name.replace(/_\d+$/, ''), at ? f.text.toString('utf8', at[0], at[1]) : undefined];
  });
}
