// Lazy `%(name)s` interpolation over a (layered) IniDocument, as fail2ban configures Python's
// BasicInterpolation: references see final values, `%(__name__)s` is the section asked for, and nesting
// deeper than 10 is an error, which is also how cycles surface. Failures are returned, not thrown, and
// point at the entry whose text holds the bad reference.

import type { ConfigProblem } from '../core/errors.ts';
import type { IniDocument, IniEntry } from './ini-document.ts';
import { DEFAULT_SECTION, entry, normalizeKey } from './ini-document.ts';

/** Python's MAX_INTERPOLATION_DEPTH. */
export const MAX_INTERPOLATION_DEPTH = 10;

/** A value after interpolation, with the raw entry it came from. */
export interface ResolvedValue {
  readonly value: string;
  readonly entry: IniEntry;
}

const REFERENCE = /^%\(([^)]+)\)s/;

interface Context {
  readonly doc: IniDocument;
  readonly section: string;
  readonly key: string;
  readonly top: IniEntry;
  readonly extra: ReadonlyMap<string, string>;
}

// The nearest document entry on the reference chain, so problems carry a file and line.
interface Origin {
  readonly key: string;
  readonly entry: IniEntry;
}

type Expanded = { value: string } | { problem: ConfigProblem };

/**
 * The value of `key` in `section` with every `%(name)s` replaced and `%%` turned into `%`.
 *
 * The key itself is read like `entry`: the section, then `DEFAULT`. Each reference `name` (any case;
 * looked up lower-cased) is found, in this order, in: the section's own keys, `extra`, `DEFAULT` —
 * `__name__` always being the section's name — and is itself interpolated in the same section, so a
 * `DEFAULT` value referring to `%(port)s` picks up each jail's own port. `extra` thus gives defaults
 * below the section (e.g. a jail's options seen by its filter); to override a section's values instead
 * (Python's `vars`, fail2ban's `filter[name=value]`), `layer` a document holding them on top.
 *
 * Undefined when the section or key does not exist; `{ problem }` for a reference to a missing key,
 * a malformed `%`, or nesting deeper than `MAX_INTERPOLATION_DEPTH` (a cycle).
 */
export function resolve(
  doc: IniDocument,
  section: string,
  key: string,
  extra: Readonly<Record<string, string>> = {},
): ResolvedValue | { problem: ConfigProblem } | undefined {
  const top = entry(doc, section, key);
  if (top === undefined) return undefined;
  const vars = new Map(Object.entries(extra).map(([k, v]) => [normalizeKey(k), v] as const));
  const ctx: Context = { doc, section, key: normalizeKey(key), top, extra: vars };
  const result = expand(top.value, { key: ctx.key, entry: top }, 1, ctx);
  return 'problem' in result ? result : { value: result.value, entry: top };
}

// How many `%(section/option)s` lookups are under way: bounds cycles that cross sections.
let crossDepth = 0;

/** Section names are case-sensitive but references are lower-cased: find the one meant. */
function sectionNamed(ctx: Context, lowered: string): string {
  for (const name of ctx.doc.sections.keys()) if (name.toLowerCase() === lowered) return name;
  return lowered;
}

function lookup(ctx: Context, name: string): { raw: string; entry?: IniEntry } | undefined {
  const own = ctx.doc.sections.get(ctx.section)?.entries.get(name);
  if (own !== undefined) return { raw: own.value, entry: own };
  const extra = ctx.extra.get(name);
  if (extra !== undefined) return { raw: extra };
  const fallback = ctx.doc.sections.get(DEFAULT_SECTION)?.entries.get(name);
  return fallback === undefined ? undefined : { raw: fallback.value, entry: fallback };
}

function expand(raw: string, at: Origin, depth: number, ctx: Context): Expanded {
  if (depth > MAX_INTERPOLATION_DEPTH) {
    const message = `interpolation too deep (over ${MAX_INTERPOLATION_DEPTH} levels; is there a reference cycle?)`;
    return { problem: problemAt({ key: ctx.key, entry: ctx.top }, ctx, message) };
  }
  let value = '';
  let rest = raw;
  for (let percent = rest.indexOf('%'); percent >= 0; percent = rest.indexOf('%')) {
    value += rest.slice(0, percent);
    rest = rest.slice(percent);
    if (rest.startsWith('%%')) {
      value += '%';
      rest = rest.slice(2);
      continue;
    }
    const ref = REFERENCE.exec(rest);
    if (ref === null) {
      const what = rest.startsWith('%(') ? 'a reference of the form %(name)s' : '"%%" or "%(name)s"';
      return { problem: problemAt(at, ctx, `expected ${what}, got "${rest.slice(0, 20)}"`) };
    }
    rest = rest.slice(ref[0].length);
    const name = normalizeKey(ref[1]!);
    if (name === '__name__') {
      value += ctx.section;
      continue;
    }
    const slash = name.indexOf('/');
    if (
      slash > 0 &&
      lookup(ctx, name) === undefined &&
      ctx.doc.sections.has(sectionNamed(ctx, name.slice(0, slash)))
    ) {
      // fail2ban's `%(section/option)s`: the option of another section, interpolated there.
      if (crossDepth >= MAX_INTERPOLATION_DEPTH) {
        return { problem: problemAt(at, ctx, `interpolation too deep at "${ref[0]}" (a reference cycle?)`) };
      }
      crossDepth++;
      const other = resolve(
        ctx.doc,
        sectionNamed(ctx, name.slice(0, slash)),
        name.slice(slash + 1),
        Object.fromEntries(ctx.extra),
      );
      crossDepth--;
      if (other && 'problem' in other) return other;
      if (other) {
        value += other.value;
        continue;
      }
    }
    const found = lookup(ctx, name);
    if (found === undefined) {
      const where = ctx.extra.size > 0 ? `[${ctx.section}], the extra variables` : `[${ctx.section}]`;
      const message = `"${ref[0]}" refers to "${name}", which is not set in ${where} or [${DEFAULT_SECTION}]`;
      return { problem: problemAt(at, ctx, message) };
    }
    if (!found.raw.includes('%')) {
      value += found.raw;
      continue;
    }
    const origin = found.entry === undefined ? at : { key: name, entry: found.entry };
    const inner = expand(found.raw, origin, depth + 1, ctx);
    if ('problem' in inner) return inner;
    value += inner.value;
  }
  return { value: value + rest };
}

function problemAt(at: Origin, ctx: Context, message: string): ConfigProblem {
  const via = at.entry === ctx.top ? '' : ` (resolving [${ctx.section}] ${ctx.key})`;
  return { file: at.entry.file, line: at.entry.line, option: at.key, message: message + via };
}
