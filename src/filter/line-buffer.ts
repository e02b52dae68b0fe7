// fail2ban's multi-line buffer (maxlines > 1): the last N lines, joined with newlines, are what a
// failregex searches. After a match, the lines the match covered leave the buffer and the rest
// stay, so one line never completes two failures; lines a <SKIPLINES> tag stepped over stay too.

import type { Hit } from './pattern.ts';
import { SKIPPED } from './tags.ts';

/** A line split around its date: `pre + date + post` is the line, `pre + post` what regexes see. */
export interface TupleLine {
  readonly pre: string;
  readonly date: string;
  readonly post: string;
}

export const undated = (text: string): TupleLine => ({ pre: '', date: '', post: text });

export const textOf = (t: TupleLine): string => t.pre + t.post;
export const lineOf = (t: TupleLine): string => t.pre + t.date + t.post;

/**
 * The text a multi-line filter's regexes search: a newline after every line, as fail2ban joins
 * its buffer, so `<SKIPLINES>` and `$` under MULTILINE see each line end. (With maxlines = 1 the
 * line's own text is searched, without a newline.)
 */
export function joinLines(lines: readonly TupleLine[]): string {
  let out = '';
  for (const l of lines) out += `${textOf(l)}\n`;
  return out;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The lines a <SKIPLINES> tag stepped over, as text. */
function skippedLines(groups: Hit['groups']): string[] {
  let all = '';
  for (let n = 0; `${SKIPPED}${n}` in groups; n++) all += groups[`${SKIPPED}${n}`] ?? '';
  // Python's splitlines(): no empty entry after the final newline.
  const lines = all.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Splits `lines` (whose join is `text`) into the lines a hit covered and the rest, in fail2ban's
 * order: the lines before the match, then the skipped ones, then the lines after it.
 */
export function splitByHit(
  text: string,
  hit: Hit,
  lines: readonly TupleLine[],
): { matched: TupleLine[]; unmatched: TupleLine[] } {
  if (lines.length <= 1) return { matched: [...lines], unmatched: [] };
  const lineStart = text.lastIndexOf('\n', hit.start) + 1;
  const nl = text.indexOf('\n', Math.max(0, hit.end - 1));
  const lineEnd = nl < 0 ? text.length : nl + 1;
  const first = countNewlines(text, lineStart);
  const last = countNewlines(text, lineEnd);
  const matched = lines.slice(first, last);
  const unmatched = lines.slice(0, first);
  let n = 0;
  for (const skipped of skippedLines(hit.groups)) {
    const m = matched.slice(n).findIndex((l) => textOf(l) === skipped);
    if (m < 0) continue;
    unmatched.push(...matched.splice(n + m, 1));
    n += m;
  }
  unmatched.push(...lines.slice(last));
  return { matched, unmatched };
}
