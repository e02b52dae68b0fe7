// Reads the shape of an RE2 pattern without compiling it: the most characters a match can span,
// its unnamed and named groups in order, and whether it has a top-level alternative. The bound lets a
// line-start template run on a short prefix of a long line; any doubt yields Infinity (scan it all).

export interface RegexShape {
  /** Most code points one match can consume, or Infinity. */
  readonly maxLength: number;
  /** Capturing groups without a name. */
  readonly unnamed: number;
  /** Named groups in the order they open, as Python's groupdict lists them. */
  readonly names: readonly string[];
  /** A `|` outside every group: `^a|b` is not anchored although it starts with `^`. */
  readonly topLevelAlternative: boolean;
}

const ZERO_WIDTH_ESCAPES = new Set(['b', 'B', 'A', 'z', 'Z', 'G']);

export function regexShape(src: string): RegexShape {
  let i = 0;
  let unnamed = 0;
  let topLevelAlternative = false;
  const names: string[] = [];

  const alternatives = (depth: number): number => {
    let best = sequence(depth);
    while (src[i] === '|') {
      if (depth === 0) topLevelAlternative = true;
      i++;
      best = Math.max(best, sequence(depth));
    }
    return best;
  };

  const sequence = (depth: number): number => {
    let total = 0;
    while (i < src.length && src[i] !== '|' && src[i] !== ')') total += repeat(atom(depth));
    return total;
  };

  const atom = (depth: number): number => {
    const c = src[i]!;
    if (c === '(') return groupAtom(depth);
    if (c === '[') return classAtom();
    if (c === '^' || c === '$') {
      i++;
      return 0;
    }
    if (c === '\\') return escapeAtom();
    i += (src.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    return 1;
  };

  const groupAtom = (depth: number): number => {
    i++;
    if (src[i] === '?') {
      const named = src.startsWith('?P<', i)
        ? 3
        : src.startsWith('?<', i) && !'=!'.includes(src[i + 2]!)
          ? 2
          : 0;
      if (named > 0) {
        const close = src.indexOf('>', i);
        if (close < 0) return Infinity;
        names.push(src.slice(i + named, close));
        i = close + 1;
      } else {
        i++;
        while (i < src.length && /[a-zA-Z-]/.test(src[i]!)) i++;
        if (src[i] === ')') {
          i++;
          return 0;
        }
        if (src[i] !== ':') return Infinity; // look-around and the like: RE2 rejects them anyway
        i++;
      }
    } else {
      unnamed++;
    }
    const inner = alternatives(depth + 1);
    if (src[i] !== ')') return Infinity;
    i++;
    return inner;
  };

  const classAtom = (): number => {
    i++;
    if (src[i] === '^') i++;
    if (src[i] === ']') i++;
    while (i < src.length && src[i] !== ']') {
      if (src[i] === '\\') skipEscape();
      else if (src.startsWith('[:', i)) i = src.indexOf(':]', i) < 0 ? src.length : src.indexOf(':]', i) + 2;
      else i++;
    }
    i++;
    return 1;
  };

  const escapeAtom = (): number => {
    const e = src[i + 1];
    if (e === 'Q') {
      const end = src.indexOf('\\E', i + 2);
      const text = src.slice(i + 2, end < 0 ? src.length : end);
      i = end < 0 ? src.length : end + 2;
      return [...text].length;
    }
    skipEscape();
    return e !== undefined && ZERO_WIDTH_ESCAPES.has(e) ? 0 : 1;
  };

  const skipEscape = () => {
    const e = src[i + 1];
    i += 2;
    if ((e === 'p' || e === 'P' || e === 'x') && src[i] === '{') i = src.indexOf('}', i) + 1 || src.length;
    else if (e === 'p' || e === 'P') i++;
    else if (e === 'x') i += 2;
  };

  const repeat = (n: number): number => {
    let total = n;
    for (;;) {
      const q = src[i];
      if (q === '*' || q === '+') {
        i++;
        total = total > 0 ? Infinity : 0;
      } else if (q === '?') {
        i++;
      } else if (q === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
        if (!m) return total; // a literal brace, counted by the next atom
        i += m[0].length;
        const most = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
        total = total === 0 ? 0 : total * most;
      } else {
        return total;
      }
      if (src[i] === '?') i++; // lazy form: same reach
    }
  };

  let maxLength = alternatives(0);
  if (i < src.length) maxLength = Infinity; // an unbalanced ")" — leave it to RE2 to report
  return { maxLength, unnamed, names, topLevelAlternative };
}
