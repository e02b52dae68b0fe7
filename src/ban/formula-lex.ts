// Splits a bantime.formula into tokens: decimal numbers, names, Python's operators. Anything else
// (quotes, brackets, `=`, `:`) cannot be part of the accepted subset and fails here, with its column.

/** A syntax error at `column` (1-based). */
export class ParseFault extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

export interface Token {
  readonly type: 'number' | 'name' | 'op' | 'end';
  readonly text: string;
  readonly column: number;
}

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /\*\*|\/\/|<<|>>|<=|>=|==|!=|[-+*/%<>(),.~&|^]/y;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const column = i + 1;
    const match = [['number', NUMBER] as const, ['name', NAME] as const, ['op', OPERATOR] as const]
      .map(([type, re]) => {
        re.lastIndex = i;
        const m = re.exec(text);
        return m ? { type, text: m[0], column } : undefined;
      })
      .find((t) => t !== undefined);
    if (!match) throw new ParseFault(`unexpected character "${text[i]}"`, column);
    if (match.type === 'number' && /^0+[1-9]\d*$/.test(match.text)) {
      throw new ParseFault('leading zeros in an integer are not allowed', column);
    }
    tokens.push(match);
    i += match.text.length;
  }
  tokens.push({ type: 'end', text: '', column: text.length + 1 });
  return tokens;
}
