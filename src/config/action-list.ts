// The `action` option: one action per line, each `name` or `name[key=value, key="v, w", ...]`.
// Arguments may be quoted with ' or " (so a value can hold commas) and a bracket may stay open
// across continuation lines, as the tutorial's Webmin jail writes it.

export interface ActionCall {
  readonly name: string;
  readonly args: Readonly<Record<string, string>>;
}

type Parsed<T> = T | { error: string };

/** A cursor over the option text; each reader advances it or reports what it expected. */
class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string | undefined {
    return this.s[this.i];
  }
  skipSpace(): void {
    while (!this.done && /\s/.test(this.s[this.i]!)) this.i++;
  }
  take(re: RegExp): string | undefined {
    const m = re.exec(this.s.slice(this.i));
    if (m) this.i += m[0].length;
    return m?.[0];
  }
  near(): string {
    return this.s.slice(this.i, this.i + 20);
  }
}

/** Splits an action option into calls; an error names what is malformed. */
export function parseActionList(text: string): Parsed<{ calls: ActionCall[] }> {
  const c = new Cursor(text);
  const calls: ActionCall[] = [];
  for (c.skipSpace(); !c.done; c.skipSpace()) {
    const name = c.take(/^[\w.@-]+/);
    if (!name) return { error: `expected an action name at "${c.near()}"` };
    let args: Record<string, string> = {};
    if (c.peek() === '[') {
      c.i++;
      const parsed = parseArgs(c);
      if ('error' in parsed) return { error: `${name}: ${parsed.error}` };
      args = parsed;
    }
    // Anything glued to a call would be silently dropped by a lax reader.
    if (!c.done && !/\s/.test(c.peek()!)) return { error: `unexpected "${c.peek()}" after action ${name}` };
    calls.push({ name, args });
  }
  return { calls };
}

function parseArgs(c: Cursor): Parsed<Record<string, string>> {
  const args: Record<string, string> = {};
  for (;;) {
    c.skipSpace();
    if (c.peek() === ']') {
      c.i++;
      return args;
    }
    const key = c.take(/^[A-Za-z_][\w.-]*/);
    if (!key) return { error: `expected key=value at "${c.near()}"` };
    c.skipSpace();
    if (c.peek() !== '=') return { error: `expected "=" after "${key}"` };
    c.i++;
    c.skipSpace();
    const value = parseValue(c);
    if (typeof value !== 'string') return { error: `${value.error} in value of "${key}"` };
    args[key.toLowerCase()] = value;
    c.skipSpace();
    if (c.peek() === ',') c.i++;
    else if (c.peek() !== ']')
      return { error: c.done ? 'missing "]"' : `expected "," or "]" after "${key}"` };
  }
}

function parseValue(c: Cursor): Parsed<string> {
  const quote = c.peek();
  if (quote === '"' || quote === "'") {
    const end = c.s.indexOf(quote, c.i + 1);
    if (end < 0) return { error: 'unterminated quote' };
    const value = c.s.slice(c.i + 1, end);
    c.i = end + 1;
    return value;
  }
  // Unquoted: up to a comma or the closing bracket at this nesting level.
  const start = c.i;
  for (let depth = 0; !c.done; c.i++) {
    const ch = c.peek();
    if (ch === '[') depth++;
    else if (ch === ']' && depth-- === 0) break;
    else if (ch === ',' && depth === 0) break;
  }
  return c.s.slice(start, c.i).trim();
}
