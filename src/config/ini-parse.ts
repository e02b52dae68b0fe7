// Reads one file of the INI dialect fail2ban uses (Python 3 configparser with inline_comment_prefixes=";")
// into an IniDocument. "Whitespace" is Python's str.isspace set, so NO-BREAK SPACE pasted from a web page
// indents and separates exactly like a space. Unlike Python, which stops at the first structural error,
// every bad line becomes a ConfigProblem and parsing carries on; duplicates are merged, not rejected.

import type { ConfigProblem } from '../core/errors.ts';
import type { IniDocument, IniEntry } from './ini-document.ts';
import { normalizeKey } from './ini-document.ts';

// Python's str.isspace() (identical to its re `\s`); JS `\s` differs: it adds U+FEFF, lacks U+001C-1F and U+0085.
const SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const LEADING = new RegExp(`^${SPACE.source}+`);
const TRAILING = new RegExp(`${SPACE.source}+$`);

function strip(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

function indentOf(line: string): number {
  return LEADING.exec(line)?.[0].length ?? 0;
}

// Only `;` at the start of the line or right after whitespace opens an inline comment, so `a=b;c` keeps `;c`.
function inlineCommentAt(line: string): number | undefined {
  for (let i = line.indexOf(';'); i >= 0; i = line.indexOf(';', i + 1)) {
    if (i === 0 || SPACE.test(line.charAt(i - 1))) return i;
  }
  return undefined;
}

interface OpenKey {
  readonly key: string;
  readonly line: number;
  readonly indent: number;
  readonly lines: string[];
}

type MutableSection = { name: string; file: string; line: number; entries: Map<string, IniEntry> };

/**
 * Parses one file. `file` is only recorded, never read. Never throws: malformed lines are returned as
 * problems (with the file's 1-based line) and skipped. A UTF-8 BOM and CRLF or CR line ends are accepted.
 */
export function parseIni(text: string, file: string): { document: IniDocument; problems: ConfigProblem[] } {
  const sections = new Map<string, MutableSection>();
  const problems: ConfigProblem[] = [];
  let current: MutableSection | undefined;
  let open: OpenKey | undefined;

  const close = (): void => {
    if (open === undefined || current === undefined) return;
    // Blank lines count inside a value only when more indented text follows, as Python's rstrip() leaves it.
    while (open.lines.length > 1 && open.lines.at(-1) === '') open.lines.pop();
    current.entries.set(open.key, { value: open.lines.join('\n'), file, line: open.line });
    open = undefined;
  };

  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = strip(raw);
    const comment = trimmed.startsWith('#') || trimmed.startsWith(';') ? 0 : inlineCommentAt(raw);
    const content = comment === undefined ? trimmed : strip(raw.slice(0, comment));
    if (content === '') {
      // A comment line inside a multi-line value is skipped; a truly blank one may belong to the value.
      if (comment === undefined) open?.lines.push('');
      return;
    }

    const indent = indentOf(raw);
    if (open !== undefined && indent > open.indent) {
      open.lines.push(content);
      return;
    }
    // Any other line ends the open key, a bad line included: Python keeps the key open past a bad line,
    // gluing later indented lines to it, but here parsing goes on and those lines should be reported.
    close();

    if (content.startsWith('[') && content.lastIndexOf(']') > 0) {
      // As in Python the name runs to the last `]`; Python then drops any trailing text silently, here
      // only a `#` remark is let through without a problem.
      const end = content.lastIndexOf(']');
      const name = strip(content.slice(1, end));
      const rest = strip(content.slice(end + 1));
      if (name === '') {
        problems.push({
          file,
          line,
          message: `expected a section name between "[" and "]", got "${content}"`,
        });
        current = undefined;
        return;
      }
      if (rest !== '' && !rest.startsWith('#')) {
        problems.push({ file, line, message: `unexpected text after section header [${name}]: "${rest}"` });
      }
      current = sections.get(name);
      if (current === undefined) {
        current = { name, file, line, entries: new Map() };
        sections.set(name, current);
      }
      return;
    }

    const sep = content.search(/[=:]/);
    if (sep <= 0) {
      const expected =
        sep === 0 ? 'an option name before "=" or ":"' : '"key = value", "[section]" or a comment';
      problems.push({ file, line, message: `expected ${expected}, got "${content}"` });
      return;
    }
    const key = normalizeKey(strip(content.slice(0, sep)));
    if (current === undefined) {
      problems.push({ file, line, option: key, message: 'option is not inside any [section]' });
      return;
    }
    open = { key, line, indent, lines: [strip(content.slice(sep + 1))] };
  });
  close();

  return { document: { sections }, problems };
}
