// A template's last search on libre2, kept so the next line skips RE2 when the part of it the search
// can read is the same text: consecutive log lines often share their date. Exact by construction:
//  - a windowed search reads its line from the character before its start to one past its cut (the
//    addon reads that unit for a cut surrogate pair): the same window, cut and text give the same Found;
//  - a whole-line search of a line-start template reads until every path of the template has died,
//    which its prefix closure (viable.ts) tells: the longest prefix of the line it matches, plus the
//    character that ended it. A line that starts with that text gets the same match and groups.
// The whole-line key is computed only once a later line repeats the date text, so a log whose dates
// never repeat pays one startsWith per line. Spans are UTF-16 offsets, so a key must not cut a pair.

import { type Found, type Range, rangeOf, searchRange, wholeEnd } from './search.ts';
import type { NativeTemplate, Template } from './template.ts';

const isSurrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;

export class SearchMemo {
  // The last whole-line search that found a date, and the text the next line must start with:
  // null while not computed, undefined when the line has no usable key.
  #line = '';
  #found: Found | undefined;
  #date = '';
  #key: string | null | undefined;
  // The last windowed search, its range and the text it read from `#lo`.
  #window: { start: number; end: number } | undefined;
  #range: Range | undefined;
  #lo = 0;
  #text = '';
  #windowFound: Found | undefined;

  /** search() on libre2: the template's date in `line`, within `window` when given. */
  search(
    t: Template,
    n: NativeTemplate,
    line: string,
    window?: { start: number; end: number },
  ): Found | undefined {
    return window ? this.#windowed(t, n, line, window) : this.#whole(t, n, line);
  }

  #whole(t: Template, n: NativeTemplate, line: string): Found | undefined {
    if (this.#found) {
      // The key, once known, starts with the date; until then the date tells whether to look for it.
      if (this.#key === null && line.startsWith(this.#date)) this.#key = wholeLineKey(t, n, this.#line);
      if (typeof this.#key === 'string' && line.startsWith(this.#key)) return this.#found;
    }
    const found = searchRange(n, line, n.re, 0, wholeEnd(t, line.length), 0);
    if (found && Number.isFinite(t.reach)) {
      this.#line = line;
      this.#found = found;
      this.#date = line.slice(0, found.end);
      this.#key = null;
    } else this.#found = undefined;
    return found;
  }

  #windowed(
    t: Template,
    n: NativeTemplate,
    line: string,
    window: { start: number; end: number },
  ): Found | undefined {
    const range = rangeOf(t, n, line.length, window);
    const lo = Math.max(0, range.from - 1);
    // Up to one unit past the cut: what the addon reads.
    const hi = Math.min(line.length, range.end + 1);
    const last = this.#range;
    if (
      last &&
      window.start === this.#window!.start &&
      window.end === this.#window!.end &&
      range.re === last.re &&
      range.from === last.from &&
      range.end === last.end &&
      range.floor === last.floor &&
      lo === this.#lo &&
      hi - lo === this.#text.length &&
      line.startsWith(this.#text, lo)
    ) {
      return this.#windowFound;
    }
    const found = searchRange(n, line, range.re, range.from, range.end, range.floor);
    if (lo < hi && isSurrogate(line.charCodeAt(lo))) this.#range = undefined;
    else {
      this.#window = window;
      this.#range = range;
      this.#lo = lo;
      this.#text = line.slice(lo, hi);
      this.#windowFound = found;
    }
    return found;
  }
}

/**
 * The text a line must start with to get what a whole-line search of `line` gets, or undefined
 * (no prefix closure, or paths of the template still alive where the searched text ends).
 */
export function wholeLineKey(t: Template, n: NativeTemplate, line: string): string | undefined {
  const end = wholeEnd(t, line.length);
  const closure = n.closure();
  if (!closure?.exec(line, 0, end)) return undefined;
  const k = closure.spans[1]!;
  // Paths still alive where the search's text ends, or a pair at the cut: no key.
  if (k < 0 || k >= end || isSurrogate(line.charCodeAt(k))) return undefined;
  return line.slice(0, k + 1);
}
