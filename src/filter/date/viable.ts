// The prefix closure of a line-start template: an RE2 pattern that matches every prefix of every text
// the template can match (a superset: its assertions, ^ $ \b \B, are dropped, so they always pass).
// Its longest match at the line start is where every path of the template has died: a search of the
// template reads nothing past the next character, and any line that starts with the same text up to
// there gets the same match and groups (date/memo.ts). Rules, P(x) being the closure of x:
//   P(c) = c?   P(xy) = x' P(y) | P(x)   P(x|y) = P(x) | P(y)   P(x*) = P(x+) = x'* P(x)
//   P(x?) = P(x)   P(x{n,m}) = x'{0,m-1} P(x)   P(x{n,}) = x'* P(x)   P(assertion) = ε
// where x' is x with its assertions dropped and its groups made non-capturing. Anything this parser
// does not know (a flag group past the start, \Q, \C) gives undefined: no closure, no memo.

interface Piece {
  /** The piece with assertions dropped and groups non-capturing: a superset of it. */
  readonly full: string;
  /** Its prefix closure. */
  readonly pref: string;
}

const ZERO_WIDTH = new Set(['b', 'B', 'A', 'z']);
const ONE_CHAR = new Set([...'dDsSwWpPxnrtfva']);

class Unknown extends Error {}

/** The prefix closure of a template's RE2 source (which starts with `^`), or undefined. */
export function prefixClosure(source: string): string | undefined {
  const flags = /^\(\?[a-zA-Z]+\)/.exec(source)?.[0] ?? '';
  const src = source.slice(flags.length);
  if (!src.startsWith('^')) return undefined;
  let i = 0;

  const alternatives = (): Piece => {
    const branches = [sequence()];
    while (src[i] === '|') {
      i++;
      branches.push(sequence());
    }
    if (branches.length === 1) return branches[0]!;
    return {
      full: `(?:${branches.map((b) => b.full).join('|')})`,
      pref: `(?:${branches.map((b) => b.pref).join('|')})`,
    };
  };

  const sequence = (): Piece => {
    const items: Piece[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') items.push(repeat(atom()));
    // P(x1 x2 … xn) = x1' P(x2 … xn) | P(x1), built from the end.
    let full = '';
    let pref = '';
    for (let k = items.length - 1; k >= 0; k--) {
      const x = items[k]!;
      if (x.full === '') continue; // an assertion: nothing to consume, ε to its closure
      pref = pref === '' ? x.pref : `(?:${x.full}${pref}|${x.pref})`;
      full = x.full + full;
    }
    return { full, pref };
  };

  const atom = (): Piece => {
    const c = src[i]!;
    if (c === '(') return group();
    if (c === '^' || c === '$') {
      i++;
      return { full: '', pref: '' };
    }
    let text: string;
    if (c === '[') text = charClass();
    else if (c === '\\') {
      const e = src[i + 1];
      if (e !== undefined && ZERO_WIDTH.has(e)) {
        i += 2;
        return { full: '', pref: '' };
      }
      text = escaped();
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      throw new Unknown(); // a repeat of nothing, or a brace RE2 reads as a literal: not worth knowing
    } else {
      const cp = src.codePointAt(i)!;
      text = String.fromCodePoint(cp);
      i += text.length;
    }
    return { full: `(?:${text})`, pref: `(?:${text})?` };
  };

  const group = (): Piece => {
    i++;
    let open = '(?:';
    if (src[i] === '?') {
      const m = /^\?(?:P?<\w+>|([a-zA-Z]*-?[a-zA-Z]*):)/.exec(src.slice(i, i + 40));
      if (!m) throw new Unknown(); // a flag group inside the pattern, or something RE2 refuses
      if (m[1] !== undefined) open = `(?${m[1]}:`;
      i += m[0].length;
    }
    const inner = alternatives();
    if (src[i] !== ')') throw new Unknown();
    i++;
    return { full: `${open}${inner.full})`, pref: `${open}${inner.pref})` };
  };

  const charClass = (): string => {
    const from = i;
    i++;
    if (src[i] === '^') i++;
    if (src[i] === ']') i++;
    while (i < src.length && src[i] !== ']') {
      if (src[i] === '\\') escaped();
      else if (src.startsWith('[:', i)) {
        const end = src.indexOf(':]', i);
        if (end < 0) throw new Unknown();
        i = end + 2;
      } else i++;
    }
    if (src[i] !== ']') throw new Unknown();
    i++;
    return src.slice(from, i);
  };

  const escaped = (): string => {
    const from = i;
    const e = src[i + 1];
    if (e === undefined) throw new Unknown();
    i += 2;
    if ((e === 'p' || e === 'P' || e === 'x') && src[i] === '{') {
      const end = src.indexOf('}', i);
      if (end < 0) throw new Unknown();
      i = end + 1;
    } else if (e === 'p' || e === 'P') i++;
    else if (e === 'x') i += 2;
    else if (/[a-zA-Z0-9]/.test(e) && !ONE_CHAR.has(e)) throw new Unknown();
    return src.slice(from, i);
  };

  const repeat = (x: Piece): Piece => {
    let out = x;
    for (;;) {
      const from = i;
      const q = src[i];
      let most: number;
      if (q === '*' || q === '+') most = Infinity;
      else if (q === '?') most = 1;
      else if (q === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
        if (!m) throw new Unknown();
        i += m[0].length - 1;
        most = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
      } else return out;
      i++;
      const quantifier = src.slice(from, i);
      if (src[i] === '?') i++; // lazy: the same texts
      if (out.full === '' || most === 0) {
        out = { full: '', pref: '' };
        continue;
      }
      const before =
        most === Infinity ? `(?:${out.full})*` : most === 1 ? '' : `(?:${out.full}){0,${most - 1}}`;
      out = { full: `(?:${out.full})${quantifier}`, pref: `(?:${before}${out.pref})` };
    }
  };

  try {
    i = 1;
    const body = alternatives();
    if (i !== src.length) return undefined;
    return `${flags}^(?:${body.pref})`;
  } catch (err) {
    if (err instanceof Unknown) return undefined;
    throw err;
  }
}
