// fail2ban's default date templates, written for RE2. fail2ban matches a repeated separator with a
// back-reference ("2005-01-23" but not "2005-01/23"); RE2 has none, so each separator gets its own
// branch. The list is: a line-start copy (weight 100) of every unanchored template, then all of them.

import {
  bounded,
  compilePattern,
  compileRaw,
  type Kind,
  type PatternSpec,
  type RawSpec,
  type Template,
} from './template.ts';
import { SPACE, TOKENS as T } from './tokens.ts';

/** One default template before compilation; `body` holds no unnamed group. */
export interface Base {
  readonly name: string;
  readonly body: string;
  readonly ignoreCase: boolean;
  /** word: searched anywhere on word boundaries; line: {^LN-BEG}; caret: body starts with `^`. */
  readonly begin: 'word' | 'line' | 'caret';
  readonly kind: Kind;
}

export const EPOCH_DIGITS = '[0-9]{10,11}\\b(?:\\.[0-9]{3,6})?';
export const LONG_EPOCH_DIGITS = '[0-9]{10,11}(?:[0-9]{3}(?:\\.[0-9]{1,6}|[0-9]{3})?)?';
const TAI64N = '@[0-9a-f]{24}';
const hms = `${T.H()}:${T.M()}:${T.S()}`;
const khms = `${T.k()}:${T.M()}:${T.S()}`;
const frac = (sep: string) => `(?:${sep}${T.f()})?`;
const year = `(?: ${T.ExY()})?`;
// fail2ban allows any run of blanks before the zone; a cap keeps the line-start copies bounded, so
// they read a short prefix of a long line. Real logs put one blank there, or none.
const zone = `(?:${SPACE}{0,100}${T.z()})?`;

const word = (name: string, body: string, ignoreCase = false): Base => ({
  name,
  body,
  ignoreCase,
  begin: 'word',
  kind: 'strptime',
});

/** The seventeen default templates in fail2ban's order. */
export const BASES: readonly Base[] = [
  word(
    '%ExY-%m-%d %H:%M:%S[.%f][%z]',
    `${T.ExY()}(?:-${T.m()}-|/${T.m('_2')}/|\\.${T.m('_3')}\\.)${T.d()}(?:T| {1,2})${hms}${frac('[.,]')}${zone}`,
  ),
  word(
    '[%a ]%b %d %k:%M:%S[.%f][ %ExY]',
    `(?:${T.a()} )?${T.b()} ${T.d()} ${khms}${frac('\\.')}${year}`,
    true,
  ),
  word(
    '[%a ]%b %d %ExY %k:%M:%S[.%f]',
    `(?:${T.a()} )?${T.b()} ${T.d()} ${T.ExY()} ${khms}${frac('\\.')}`,
    true,
  ),
  word('%d-%m-%ExY|%Exy %k:%M:%S', `${T.d()}(?:-${T.m()}-|/${T.m('_2')}/)(?:${T.ExY()}|${T.Exy()}) ${khms}`),
  word(
    '%d-%b-%ExY[ :]%H:%M:%S[.%f][ %z]',
    `${T.d()}(?:-${T.b()}-|/${T.b('_2')}/)${T.ExY()}[ :]?${hms}${frac('\\.')}(?: ${T.z()})?`,
    true,
  ),
  word('%m/%d/%ExY:%H:%M:%S', `${T.m()}/${T.d()}/${T.ExY()}:${hms}`),
  word('%m-%d-%ExY %k:%M:%S[.%f]', `${T.m()}-${T.d()}-${T.ExY()} ${khms}${frac('\\.')}`),
  { name: 'Epoch', body: `(?P<epoch>${EPOCH_DIGITS})`, ignoreCase: false, begin: 'word', kind: 'epoch' },
  { name: '{^LN-BEG}%H:%M:%S', body: hms, ignoreCase: false, begin: 'line', kind: 'strptime' },
  {
    name: '^<%m/%d/%Exy@%H:%M:%S>',
    body: `^<${T.m()}/${T.d()}/${T.Exy()}@${hms}>`,
    ignoreCase: false,
    begin: 'caret',
    kind: 'strptime',
  },
  word('%Exy%Exm%Exd %H:%M:%S', `${T.Exy()}${T.Exm()}${T.Exd()} {1,2}${hms}`),
  word('%b %d, %ExY %I:%M:%S %p', `${T.b()} ${T.d()}, ${T.ExY()} ${T.I()}:${T.M()}:${T.S()} ${T.p()}`, true),
  {
    name: '^%b-%d-%Exy %k:%M:%S',
    body: `^${T.b()}-${T.d()}-${T.Exy()} ${khms}`,
    ignoreCase: true,
    begin: 'caret',
    kind: 'strptime',
  },
  word(
    '%ExY%Exm%Exd %ExH%ExM%ExS[.%f][%z]',
    `${T.ExY()}${T.Exm()}${T.Exd()}(?:T| {1,2})${T.ExH()}${T.ExM()}${T.ExS()}${frac('[.,]')}${zone}`,
  ),
  word(
    '[%Z ][%a ]%b %d %k:%M:%S[.%f][ %ExY]',
    `(?:${T.Z()} )?(?:${T.a()} )?${T.b()} ${T.d()} ${khms}${frac('\\.')}${year}`,
    true,
  ),
  word(
    '[%z ][%a ]%b %d %k:%M:%S[.%f][ %ExY]',
    `(?:${T.z()} )?(?:${T.a()} )?${T.b()} ${T.d()} ${khms}${frac('\\.')}${year}`,
    true,
  ),
  { name: 'TAI64N', body: `(?P<tai64n>${TAI64N})`, ignoreCase: false, begin: 'word', kind: 'tai64n' },
];

/** fail2ban's EPOCH/LEPOCH templates: anywhere they follow the line start, "[" or "audit(", or at the line start. */
export function epochSpec(long: boolean, lineStart: boolean, name: string, weight = 1): RawSpec {
  const date = `((?P<epoch>${long ? LONG_EPOCH_DIGITS : EPOCH_DIGITS}))`;
  const lead = lineStart ? bounded.lineStart : '(?:^\\[?|\\baudit\\()';
  return {
    name,
    source: lead + date + bounded.after,
    anchored: lineStart,
    kind: long ? 'lepoch' : 'epoch',
    weight,
  };
}

/** fail2ban's TAI64N template: without a word-start boundary, or at the line start. */
export function tai64nSpec(lineStart: boolean, name: string, weight = 1): RawSpec {
  const lead = lineStart ? bounded.lineStart : '';
  return {
    name,
    source: `${lead}((?P<tai64n>${TAI64N}))${bounded.after}`,
    anchored: lineStart,
    kind: 'tai64n',
    weight,
  };
}

function spec(b: Base, lineCopy: boolean): PatternSpec | RawSpec {
  const name = lineCopy ? `{^LN-BEG}${b.name}` : b.name;
  const weight = lineCopy ? 100 : 1;
  if (b.kind === 'epoch') return epochSpec(false, lineCopy, name, weight);
  if (b.kind === 'tai64n') return tai64nSpec(lineCopy, name, weight);
  const begin = lineCopy || b.begin === 'line' ? 'line' : 'word';
  return { name, regex: b.body, ignoreCase: b.ignoreCase, begin, end: true, kind: b.kind, weight };
}

/** The default list: line-start copies of the unanchored templates first, then all seventeen. */
export function defaultSpecs(): Array<PatternSpec | RawSpec> {
  const copies = BASES.filter((b) => b.begin === 'word').map((b) => spec(b, true));
  return [...copies, ...BASES.map((b) => spec(b, false))];
}

/** `lazy`: compile the regexes at their first use (compileRaw). */
export function compileSpec(s: PatternSpec | RawSpec, lazy = false): Template | { error: string } {
  return 'source' in s ? compileRaw(s, lazy) : compilePattern(s, lazy);
}
