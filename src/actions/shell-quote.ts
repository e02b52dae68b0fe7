// Inserts untrusted values into a /bin/sh command template so that each arrives as literal text. The
// template's quoting state is scanned up to each tag (plain, '…', "…", $(…), `…`, comments, here-docs)
// and the value is quoted for that state; arithmetic ($((…)), ((…)), name[…]) takes integers only.
// Where the scan cannot be sure what the shell will see (${…}, $'…', a here-document body, right after
// `\` or `$`, `case` inside $(…)), rendering fails: better a command that does not run than one that
// runs what a log line says. Commands that evaluate their arguments (eval, let) are the template's risk.

import { type HeredocOperator, heredocBodyEnd, readHeredocOperator } from './heredoc.ts';

/** A template that cannot take a dynamic value safely where its tag sits. */
export class TemplateError extends Error {
  readonly code = 'ETEMPLATE';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Text for a tag name: inserted literally; undefined leaves the tag as written. */
export type TagLookup = (name: string) => string | undefined;

/** fail2ban's tag syntax: `<name>` where name has no blank, `<` or `>`. */
export const TAG = /<([^ <>]+)>/g;

/** `value` as one single-quoted shell word, `'` written as `'\''`. */
export function singleQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Replaces each tag `lookup` knows with its value, quoted for where the tag sits, so /bin/sh (dash or
 * bash) reads exactly the value; inserted text is never scanned for tags. Throws TemplateError.
 */
export function insertLiterals(template: string, lookup: TagLookup): string {
  return new Scanner(template, lookup).run();
}

// `arith`: $((…)) and bash's ((…)); `index`: bash's `name[…]=` subscript, also arithmetic.
type Kind = 'top' | 'cmdsub' | 'single' | 'double' | 'param' | 'arith' | 'index';
interface Frame {
  readonly kind: Kind;
  depth: number;
}
interface Tag {
  readonly name: string;
  readonly end: number;
  readonly value: string;
}

const OPERATOR = /[\s;&|<>()]/;

class Scanner {
  readonly tags = new Map<number, Tag>();
  readonly stack: Frame[] = [{ kind: 'top', depth: 0 }];
  out = '';
  i = 0;
  wordStart = true;
  comment = false;
  /** Set once the scan can no longer trust its state; every later tag is refused. */
  lost: string | undefined;
  heredocs: HeredocOperator[] = [];

  constructor(
    readonly t: string,
    readonly lookup: TagLookup,
  ) {
    for (const m of t.matchAll(TAG)) {
      const value = lookup(m[1]!);
      if (value !== undefined) this.tags.set(m.index, { name: m[1]!, end: m.index + m[0].length, value });
    }
  }

  run(): string {
    while (this.i < this.t.length) {
      const tag = this.tags.get(this.i);
      if (tag) {
        this.out += this.insert(tag);
        this.i = tag.end;
        continue;
      }
      const kind = this.frame.kind;
      if (kind === 'single') this.single();
      else if (kind === 'double') this.double();
      else this.code(kind);
    }
    return this.out;
  }

  get frame(): Frame {
    return this.stack.at(-1)!;
  }

  insert(tag: Tag): string {
    if (this.comment) return ''; // a comment runs nothing; dropping the value keeps its newlines out
    if (this.lost) throw new TemplateError(`<${tag.name}> comes after ${this.lost}`);
    for (let k = this.stack.length - 1; k > 0 && this.stack[k]!.kind !== 'cmdsub'; k--) {
      const kind = this.stack[k]!.kind;
      if (kind === 'param') throw new TemplateError(`<${tag.name}> inside \${…} cannot be quoted safely`);
      // bash evaluates arithmetic text after expansion, so even '$(…)' would run there.
      if ((kind === 'arith' || kind === 'index') && !/^-?\d+$/.test(tag.value)) {
        throw new TemplateError(
          `<${tag.name}> inside $((…)) must be an integer, got "${tag.value.slice(0, 40)}"`,
        );
      }
    }
    const kind = this.frame.kind;
    if (kind === 'arith' || kind === 'index') return tag.value;
    if (kind === 'single') return tag.value.replaceAll("'", `'\\''`);
    // Close the double quote, add a single-quoted word, reopen: nothing inside '…' is special.
    if (kind === 'double') return `"${singleQuote(tag.value)}"`;
    this.wordStart = false;
    return singleQuote(tag.value);
  }

  take(n: number): void {
    this.out += this.t.slice(this.i, this.i + n);
    this.i += n;
  }

  push(kind: Kind, n: number): void {
    this.take(n);
    this.stack.push({ kind, depth: 0 });
    this.wordStart = true;
  }

  pop(n: number): void {
    this.take(n);
    this.stack.pop();
    this.wordStart = false; // a closed quote or substitution is part of the surrounding word
  }

  single(): void {
    if (this.t[this.i] === "'") this.pop(1);
    else this.take(1);
  }

  double(): void {
    const c = this.t[this.i];
    if (c === '"') this.pop(1);
    else if (c === '\\') this.escape();
    else if (c === '`') this.backquote(true);
    else if (c === '$') this.dollar(true);
    else this.take(1);
  }

  code(kind: Kind): void {
    const c = this.t[this.i]!;
    if (this.comment && c !== '\n') this.take(1);
    else if (c === '\\') this.escape();
    else if (c === "'") this.push('single', 1);
    else if (c === '"') this.push('double', 1);
    else if (c === '`') this.backquote(false);
    else if (c === '$') this.dollar(false);
    else if (kind === 'param') this.param(c);
    else if (kind === 'arith' || kind === 'index') this.arith(c, kind);
    else this.command(kind, c);
  }

  param(c: string): void {
    if (c === '}') this.pop(1);
    else this.take(1);
  }

  arith(c: string, kind: Kind): void {
    const frame = this.frame;
    const [open, close] = kind === 'index' ? ['[', ']'] : ['(', ')'];
    if (c === close && frame.depth === 0 && (kind === 'index' || this.t[this.i + 1] === ')')) {
      this.pop(kind === 'index' ? 1 : 2);
      return;
    }
    if (c === open) frame.depth++;
    if (c === close) frame.depth--;
    this.take(1);
  }

  // Plain command text, at the top or inside $(…).
  command(kind: Kind, c: string): void {
    const frame = this.frame;
    this.comment = false; // only a newline gets here while in a comment, and it ends it
    if (c === '#' && this.wordStart) {
      this.comment = true;
      this.take(1);
    } else if (this.wordStart && this.t.startsWith('((', this.i)) {
      this.push('arith', 2); // bash's arithmetic command; in dash two subshells, treated the same
    } else if (this.wordStart && /^[A-Za-z_]\w*\[/.test(this.t.slice(this.i, this.i + 256))) {
      this.take(this.t.indexOf('[', this.i) - this.i);
      this.push('index', 1);
    } else if (c === '<' && this.t[this.i + 1] === '<' && !this.tags.has(this.i + 1)) {
      this.heredoc();
    } else if (kind === 'cmdsub' && c === ')' && frame.depth === 0) {
      this.pop(1);
    } else {
      if (kind === 'cmdsub' && c === '(') frame.depth++;
      if (kind === 'cmdsub' && c === ')') frame.depth--;
      // `case x in a) …` inside $(…): its `)` would be taken for the end of the substitution.
      if (this.wordStart && /^case\s/.test(this.t.slice(this.i, this.i + 5)) && this.inCmdsub()) {
        this.lost ??= '"case" inside $(…)';
      }
      this.wordStart = OPERATOR.test(c);
      this.take(1);
      if (c === '\n') this.heredocBodies();
    }
  }

  inCmdsub(): boolean {
    return this.stack.some((f) => f.kind === 'cmdsub');
  }

  escape(): void {
    if (this.tags.has(this.i + 1)) throw new TemplateError('a dynamic tag right after "\\" cannot be quoted');
    const next = this.t[this.i + 1];
    // A backslash-newline vanishes, so it does not end a word.
    if (next !== '\n') this.wordStart = false;
    this.take(next === undefined ? 1 : 2);
  }

  dollar(inDouble: boolean): void {
    const t = this.t;
    const next = t[this.i + 1];
    if (this.tags.has(this.i + 1) && !inDouble) {
      throw new TemplateError('a dynamic tag right after "$" cannot be quoted ($\'…\' in bash)');
    }
    if (next === '(' && t[this.i + 2] === '(') this.push('arith', 3);
    else if (next === '(') this.push('cmdsub', 2);
    else if (next === '{') this.push('param', 2);
    else {
      if (next === "'" && !inDouble) this.lost ??= "$'…' quoting";
      this.wordStart = false;
      this.take(1);
    }
  }

  // `…` is re-read by the shell after it removes `\` before \ ` $ (and " inside "…"): render that
  // inner text on its own, then escape the result so the shell's removal gives it back exactly.
  backquote(inDouble: boolean): void {
    const t = this.t;
    let j = this.i + 1;
    while (j < t.length && t[j] !== '`') j += t[j] === '\\' ? 2 : 1;
    if (j >= t.length) {
      if ([...this.tags.keys()].some((k) => k > this.i)) throw new TemplateError('unterminated `…`');
      this.take(t.length - this.i);
      return;
    }
    const special = inDouble ? /\\([\\`$"])/g : /\\([\\`$])/g;
    const inner = t.slice(this.i + 1, j).replace(special, '$1');
    const rendered = insertLiterals(inner, this.lookup);
    this.out += '`' + rendered.replace(/[\\`$]/g, '\\$&') + '`';
    this.i = j + 1;
    this.wordStart = false;
  }

  heredoc(): void {
    if (this.t[this.i + 2] === '<' && !this.tags.has(this.i + 2)) {
      this.take(3); // bash's here-string: an ordinary word follows
      return;
    }
    const op = readHeredocOperator(this.t, this.i);
    this.refuseTags(this.i, op.end, 'as a here-document delimiter');
    if (op.delimiter === '') this.lost ??= 'a here-document without a delimiter';
    this.heredocs.push(op);
    this.wordStart = true;
    this.take(op.end - this.i);
  }

  // Called after each command-level newline: the bodies of the here-documents opened on that line.
  heredocBodies(): void {
    for (const op of this.heredocs) {
      const end = heredocBodyEnd(this.t, this.i, op);
      this.refuseTags(this.i, end, 'inside a here-document');
      this.take(end - this.i);
    }
    this.heredocs = [];
  }

  refuseTags(from: number, to: number, where: string): void {
    for (const [at, tag] of this.tags) {
      if (at >= from && at < to) throw new TemplateError(`<${tag.name}> cannot be used ${where}`);
    }
  }
}
