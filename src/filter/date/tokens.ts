// strptime-style %-directives as RE2 fragments, each capturing its field in a named group. The
// fragments keep fail2ban's match preferences (which alternative wins at one position), so a
// pattern finds the same text fail2ban does; English (C locale) names only. %s is an extension.

/** Python's Unicode `\s`, which RE2's ASCII `\s` does not cover. */
export const SPACE =
  '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]';

export const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
export const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
/** Monday first, as Python numbers weekdays. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

// A fragment builder: `alias` renames the groups (m → m_2) where one template needs a field twice.
type Fragment = (alias?: string) => string;

const cap =
  (field: string, body: string, lead = ''): Fragment =>
  (alias = '') =>
    `${lead}(?P<${field}${alias}>${body})`;

// The alternatives' order matters: at one position RE2, like Python, takes the first that lets the
// whole pattern match, so "12" under %m is tried as 1 before 12, and %d tries 10-29 before 1-9.
const ZONE_OFFSET = '[+-][01][0-9](?::?[0-9]{2})?';
const ZONE_ABBR = '[A-Z](?:[A-Z]{2,4})?';
const DAY = '[12][0-9]|0[1-9]| [1-9]|[1-9]|3[01]';
const MONTH = '0[1-9]|[1-9]|1[0-2]';
const HOUR = '[01][0-9]|[0-9]|2[0-3]';
const MINUTE = '[0-5][0-9]|[0-9]';
const SECOND = '[0-5][0-9]|[0-9]|6[01]';
const names = (list: readonly string[]) => [...list].sort((a, b) => b.length - a.length).join('|');

/** Directive name (after %) → fragment. Multi-letter names are fail2ban's exact-width "Ex" forms. */
export const TOKENS = {
  a: cap('a', names(DAYS)),
  A: cap('A', names(DAY_NAMES)),
  b: cap('b', names(MONTHS)),
  B: cap('B', names(MONTH_NAMES)),
  p: cap('p', 'am|pm'),
  d: cap('d', DAY),
  Exd: cap('d', '0[1-9]|[12][0-9]|3[01]'),
  m: cap('m', MONTH),
  Exm: cap('m', '0[1-9]|1[0-2]'),
  Y: cap('Y', '[0-9]{4}'),
  // fail2ban limits %ExY to this century, from the last year to three years ahead, computed when it
  // starts; here time only arrives per line, so the whole 2000-2099 range is accepted.
  ExY: cap('Y', '20[0-9]{2}'),
  y: cap('y', '[0-9]{2}'),
  Exy: cap('y', '[0-9]{2}'),
  G: cap('G', '[0-9]{4}'),
  H: cap('H', HOUR),
  ExH: cap('H', '[01][0-9]|2[0-3]'),
  k: cap('H', '[0-2][0-9]|[0-9]', ' ?'),
  Exk: cap('H', HOUR, ' ?'),
  I: cap('I', '1[0-2]|0[1-9]|[1-9]'),
  l: cap('I', '1[0-9]|[0-9]', ' ?'),
  Exl: cap('I', '1[0-2]|[0-9]', ' ?'),
  M: cap('M', MINUTE),
  ExM: cap('M', '[0-5][0-9]'),
  S: cap('S', SECOND),
  ExS: cap('S', '[0-5][0-9]|6[01]'),
  f: cap('f', '[0-9]{1,6}'),
  j: cap('j', '00[1-9]|0[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-6]|0[1-9]|[1-9][0-9]|[1-9]'),
  U: cap('U', '[0-4][0-9]|5[0-3]|[0-9]'),
  W: cap('W', '[0-4][0-9]|5[0-3]|[0-9]'),
  V: cap('V', '0[1-9]|[1-4][0-9]|5[0-3]|[0-9]'),
  w: cap('w', '[0-6]'),
  u: cap('u', '[1-7]'),
  z: cap('z', `Z|UTC|GMT|${ZONE_OFFSET}`),
  Exz: cap('z', `(?:${ZONE_ABBR})?${ZONE_OFFSET}|${ZONE_ABBR}`),
  Z: cap('Z', 'Z|[A-Z]{3,5}'),
  ExZ: cap('Z', ZONE_ABBR),
  s: cap('s', '[0-9]{1,12}'),
  c: (x = '') =>
    [
      `(?P<a${x}>${names(DAYS)})`,
      `(?P<b${x}>${names(MONTHS)})`,
      `(?P<d${x}>[12][0-9]|3[01]|0[1-9]|[1-9]| [1-9])`,
      `(?P<H${x}>2[0-3]|[01][0-9]|[0-9]):(?P<M${x}>[0-5][0-9]|[0-9]):(?P<S${x}>6[01]|[0-5][0-9]|[0-9])`,
      `(?P<Y${x}>[0-9]{4})`,
    ].join(`${SPACE}+`),
  x: (x = '') =>
    `(?P<m${x}>1[0-2]|0[1-9]|[1-9])/(?P<d${x}>[12][0-9]|3[01]|0[1-9]|[1-9]| [1-9])/(?P<y${x}>[0-9]{2})`,
  X: (x = '') =>
    `(?P<H${x}>2[0-3]|[01][0-9]|[0-9]):(?P<M${x}>[0-5][0-9]|[0-9]):(?P<S${x}>6[01]|[0-5][0-9]|[0-9])`,
};

// Directives whose names are words; fail2ban then matches the whole pattern case-insensitively.
const ALPHA = new Set(['a', 'A', 'b', 'B', 'p', 'c']);

export interface Substituted {
  readonly regex: string;
  /** A name directive (%a %A %b %B %p %c) is present: match ignoring case. */
  readonly alpha: boolean;
}

/** Replaces every %-directive in `pattern`; `%%` is a literal percent sign. */
export function substitute(pattern: string): Substituted | { error: string } {
  let out = '';
  let alpha = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const next = pattern[i + 1];
    if (next === '%') {
      out += '%';
      i++;
      continue;
    }
    const name = pattern.startsWith('Ex', i + 1) ? pattern.slice(i + 1, i + 4) : (next ?? '');
    const fragment: Fragment | undefined = Object.hasOwn(TOKENS, name)
      ? TOKENS[name as keyof typeof TOKENS]
      : undefined;
    if (!fragment) return { error: `unknown directive "%${name}" (write %% for a literal percent sign)` };
    // fail2ban does not count a name directive written right after a literal "%".
    if (ALPHA.has(name) && pattern[i - 1] !== '%') alpha = true;
    out += fragment();
    i += name.length;
  }
  return { regex: out, alpha };
}
