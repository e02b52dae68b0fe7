// Seeded random patterns over a two-letter alphabet, compared with CPython on random short texts:
// small enough that every backtracking order, empty iteration and capture rule gets exercised.
// Possessive quantifiers are applied to group-free items only: CPython 3.11 does not restore
// capture marks in branches inside a possessive repeat (((?P<g>b)|(?:ab)*?)++ on "ba" gives
// g = "", which g cannot match), and some such inputs raise SystemError; there is no reference.

import { expect, test } from 'vitest';
import { translate } from '../../../../src/filter/pyre/index.ts';
import { type Case, disagreement, pythonSearch } from './python.ts';

const SEED = Number(process.env.PYRE_FUZZ_SEED ?? 20240611);
const PATTERNS = Number(process.env.PYRE_FUZZ_PATTERNS ?? 400);
const TEXTS = 6;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let names: string[] = [];
  const leaf = () =>
    pick(
      [
        'a',
        'b',
        '.',
        '[ab]',
        '[^a]',
        '\\b',
        '^',
        '$',
        '(?i:A)',
        'ab',
        '\\s',
        '\\Z',
        '\\B',
        '(?m:$)',
        '(?m:^)',
      ].concat([
        '(?s:.)',
        '\\w',
        '[a\\s]',
        'b{2,}',
        '(?=a)',
        '(?![ab])',
        '(?=\\s|$)',
        '(?!ab|b )',
        '(?i:(?!Ab))',
        'a\\b',
        '\\ba',
        ' \\B',
        '(?a:\\b)',
      ]),
    );
  const fixed = () => pick(['a', 'b', 'ab', '[ab]', 'a|b', '\\n']);
  const lazy = ['*', '+', '?', '{0,2}', '{1,2}', '{2}', '*?', '+?', '??', '{1,2}?'];
  const quant = () => pick(lazy);
  const anyQuant = () => pick([...lazy, '*+', '++', '?+', '{1,2}+']);
  const gen = (depth: number): string => {
    if (depth <= 0) return leaf();
    switch (Math.floor(rand() * 12)) {
      case 0:
      case 1:
        return gen(depth - 1) + gen(depth - 1);
      case 2:
        return `${gen(depth - 1)}|${gen(depth - 1)}`;
      case 3: {
        const name = `g${names.length}`;
        const body = gen(depth - 1);
        names.push(name);
        return `(?P<${name}>${body})`;
      }
      case 4: {
        const before = names.length;
        const body = gen(depth - 1);
        return `(?:${body})${names.length === before ? anyQuant() : quant()}`;
      }
      case 5:
        return `(${gen(depth - 1)})${quant()}`;
      case 6:
        return `(?${pick(['=', '!'])}${gen(depth - 1)})`;
      case 7:
        return `(?${pick(['<=', '<!'])}${fixed()})`;
      case 8:
        return names.length > 0 ? `(?P=${pick(names)})` : leaf();
      case 9:
        return names.length > 0 ? `(?(${pick(names)})${gen(depth - 1)}|${gen(depth - 1)})` : leaf();
      case 10:
        return `(?>${gen(depth - 1)})`;
      default:
        return leaf() + anyQuant();
    }
  };
  return {
    pattern: () => {
      names = [];
      return pick(['', '', '', '(?i)', '(?m)', '(?s)']) + gen(1 + Math.floor(rand() * 5));
    },
    text: () =>
      Array.from({ length: Math.floor(rand() * 7) }, () =>
        pick(['a', 'b', 'a', 'b', 'A', ' ', '\n', 'é']),
      ).join(''),
  };
}

const rand = prng(SEED);
const g = generator(rand);
const patterns = [...new Set(Array.from({ length: PATTERNS }, () => g.pattern()))];
const cases: Case[] = patterns.flatMap((pattern) =>
  Array.from({ length: TEXTS }, () => ({ pattern, text: g.text() })),
);
const python = pythonSearch(cases);

test(`${patterns.length} random patterns agree with CPython (seed ${SEED})`, () => {
  const problems: string[] = [];
  const translations = new Map(patterns.map((p) => [p, translate(p)]));
  cases.forEach((c, i) => {
    const why = disagreement(translations.get(c.pattern)!, c.text, python[i]!);
    if (why) problems.push(`${JSON.stringify(c.pattern)} on ${JSON.stringify(c.text)}: ${why}`);
  });
  expect(problems).toEqual([]);
});
