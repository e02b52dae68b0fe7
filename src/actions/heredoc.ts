// Where a here-document's pieces lie in a shell template: the delimiter word after `<<` / `<<-`,
// and the body lines up to the delimiter line. Positions only; shell-quote.ts decides what a
// dynamic tag found there means (it refuses them: no quoting works inside a body).

/** A `<<` redirection: where its delimiter word ends, the delimiter after quote removal, and `<<-`. */
export interface HeredocOperator {
  readonly end: number;
  readonly delimiter: string;
  readonly stripTabs: boolean;
}

const WORD_END = /[\s;&|<>()]/;

/** Reads the operator starting at `at` (which holds `<<`, not `<<<`). */
export function readHeredocOperator(t: string, at: number): HeredocOperator {
  let j = at + 2;
  const stripTabs = t[j] === '-';
  if (stripTabs) j++;
  while (t[j] === ' ' || t[j] === '\t') j++;
  let delimiter = '';
  while (j < t.length && !WORD_END.test(t[j]!)) {
    const c = t[j]!;
    const close = c === "'" || c === '"' ? t.indexOf(c, j + 1) : -1;
    if (close > 0) {
      const quoted = t.slice(j + 1, close);
      delimiter += c === '"' ? quoted.replace(/\\(.)/g, '$1') : quoted;
      j = close + 1;
    } else if (c === '\\') {
      delimiter += t[j + 1] ?? '';
      j += 2;
    } else {
      delimiter += c;
      j++;
    }
  }
  return { end: j, delimiter, stripTabs };
}

/** The index just past the body starting at `from` (its delimiter line included), or the text's end. */
export function heredocBodyEnd(t: string, from: number, op: Omit<HeredocOperator, 'end'>): number {
  let j = from;
  while (j < t.length) {
    const nl = t.indexOf('\n', j);
    const line = t.slice(j, nl < 0 ? t.length : nl);
    j = nl < 0 ? t.length : nl + 1;
    if ((op.stripTabs ? line.replace(/^\t+/, '') : line) === op.delimiter) break;
  }
  return j;
}
