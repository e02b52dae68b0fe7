// Reads fail2ban's annotated sample logs (tests/files/logs/<filter>) the way its own
// samplestestcase.py does: `# failJSON:` describes the next line, `# filterOptions:` switches the
// filter variants that every following line runs against (until the next one), `# fileOptions:`
// is merged into each variant, `# addFILE:` queues another sample file, `test.condition` skips a
// block and `constraint` a single case. Its two Python `eval`s are limited to the forms the stock
// samples use; any other expression throws, so a new fail2ban cannot be misread silently.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** samplestestcase.py's TEST_NOW (utils.py): 2005-08-14T10:00:00Z, in milliseconds. */
export const TEST_NOW = 1124013600 * 1000;

/** The JSON after `# failJSON:`; keys other than these are kept but not compared here. */
export interface FailJson {
  readonly match?: boolean;
  readonly host?: string;
  /** Local time (the test's TZ), `%Y-%m-%dT%H:%M:%S` with optional `.%f`; null: not checked. */
  readonly time?: string | null;
  readonly desc?: string;
  readonly constraint?: string;
  readonly [key: string]: unknown;
}

/** One filter configuration a sample block runs against (`filterOptions` entry). */
export interface Variant {
  /** fail2ban's test name for it: the filter name plus Python's `str()` of the options. */
  readonly name: string;
  /** The options without `test.*` keys: the arguments the filter is read with. */
  readonly args: Readonly<Record<string, string>>;
  /** All options, `test.*` included (`logtype`, `test.prefix-line`, ...). */
  readonly opts: Readonly<Record<string, unknown>>;
}

/** One line fed to one variant of the filter, with what fail2ban expects of it. */
export interface SampleCase {
  /** Sample file name under tests/files/logs. */
  readonly file: string;
  /** 1-based line number of the described line in `file`. */
  readonly lineNo: number;
  /** The line as the filter sees it (journal variants: with `test.prefix-line` in front). */
  readonly line: string;
  /** `{}` for a line without annotation: fail2ban then expects no match. */
  readonly expect: FailJson;
  readonly variant: Variant;
  /** True when fail2ban hands the filter the time itself (logtype journal): no date parsing. */
  readonly journal: boolean;
}

// `[^\n]` where Python has `.`: a CR LF sample keeps its CR, which JavaScript's `.` would not match.
const DIRECTIVE = /^#+ ?(failJSON|(?:file|filter)Options|addFILE):([^\n]+)$/;

/**
 * The filters fail2ban's sample test covers in `filterDir`: every `*.conf` except the include-only
 * `*common.conf` files, sorted by name.
 */
export function stockFilters(filterDir: string): string[] {
  return readdirSync(filterDir)
    .filter((f) => f.endsWith('.conf') && !f.endsWith('common.conf') && !f.startsWith('.'))
    .map((f) => f.slice(0, -'.conf'.length))
    .sort();
}

/** Python's `repr` of a JSON value, as `str(dict)` prints it (fail2ban's variant names). */
function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as object)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

const STRING = `'([^']*)'|"([^"]*)"`;
const NAME_EQ = new RegExp(String.raw`^name\s*(==|!=)\s*(?:${STRING})$`);
const OPT_EQ = new RegExp(String.raw`^opts\.get\(\s*(?:${STRING})\s*\)\s*(==|!=)\s*(?:${STRING})$`);

/** Evaluates `test.condition` / `constraint` (Python) for the forms fail2ban's samples use. */
export function evalCondition(expr: string, name: string, opts: Readonly<Record<string, unknown>>): boolean {
  const e = expr.trim();
  const compare = (left: unknown, op: string, right: string) => (op === '==') === (left === right);
  const n = NAME_EQ.exec(e);
  if (n) return compare(name, n[1]!, n[2] ?? n[3]!);
  const o = OPT_EQ.exec(e);
  if (o) return compare(opts[o[1] ?? o[2]!], o[3]!, o[4] ?? o[5]!);
  throw new Error(`unsupported sample expression: ${expr}`);
}

function asStringArgs(opts: Readonly<Record<string, unknown>>): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts)) if (!k.startsWith('test.')) args[k] = String(v);
  return args;
}

function variantOf(name: string, opts: Readonly<Record<string, unknown>>): Variant {
  const filterOpts = Object.fromEntries(Object.entries(opts).filter(([k]) => !k.startsWith('test.')));
  const own = opts['test.filter-name'];
  const suffix =
    typeof own === 'string' && own !== ''
      ? own
      : Object.keys(filterOpts).length > 0
        ? pyRepr(filterOpts)
        : '';
  return { name: name + suffix, args: asStringArgs(opts), opts };
}

/** File lines as fail2ban's FileContainer yields them: split at \n, no empty tail, CR LF trimmed. */
function fileLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Every case of filter `name`, in file order, from `logsDir`/`name` and the files it adds.
 * Throws when the sample file is missing (fail2ban's test fails then too).
 */
export function readSamples(logsDir: string, name: string): SampleCase[] {
  const first = join(logsDir, name);
  if (!existsSync(first)) throw new Error(`no sample log for filter "${name}"`);
  const filenames = [name];
  const cases: SampleCase[] = [];
  const defaultVariant = variantOf(name, {});
  // Persist across added files, as the Python test's variables do.
  let commonOpts: Record<string, unknown> = {};
  let variants: Variant[] | undefined;
  for (let f = 0; f < filenames.length; f++) {
    const file = filenames[f]!;
    const lines = fileLines(join(logsDir, file));
    let ignoreBlock = false;
    for (let i = 0; i < lines.length; i++) {
      let raw = lines[i]!;
      let lineNo = i + 1;
      let expect: FailJson = {};
      const d = DIRECTIVE.exec(raw);
      if (d) {
        let data: unknown;
        try {
          data = JSON.parse(d[2]!);
        } catch (err) {
          throw new Error(`${file}:${lineNo}: ${(err as Error).message}`);
        }
        if (d[1] === 'fileOptions') {
          commonOpts = data as Record<string, unknown>;
          continue;
        }
        if (d[1] === 'filterOptions') {
          variants = [];
          ignoreBlock = false;
          for (const entry of Array.isArray(data) ? data : [data]) {
            const opts = { ...commonOpts, ...(entry as Record<string, unknown>) };
            // Sticky within one list, as in the Python loop.
            const cond = opts['test.condition'];
            if (typeof cond === 'string' && cond !== '') ignoreBlock = !evalCondition(cond, name, opts);
            if (!ignoreBlock) variants.push(variantOf(name, opts));
          }
          continue;
        }
        if (d[1] === 'addFILE') {
          filenames.push(String(data));
          continue;
        }
        expect = data as FailJson;
        i++;
        if (i >= lines.length) break;
        raw = lines[i]!;
        lineNo = i + 1;
      } else if (ignoreBlock || raw.startsWith('#') || raw.trim() === '') {
        continue;
      }
      if (ignoreBlock) continue;
      if (!variants || variants.length === 0) variants = [defaultVariant];
      const text = raw.replace(/[\r\n]+$/, '');
      for (const variant of variants) {
        if (typeof expect.constraint === 'string' && expect.constraint !== '') {
          if (!evalCondition(expect.constraint, name, variant.opts)) continue;
        }
        const journal = variant.opts.logtype === 'journal';
        const prefix = journal ? variant.opts['test.prefix-line'] : undefined;
        cases.push({
          file,
          lineNo,
          line: typeof prefix === 'string' ? prefix + text : text,
          expect,
          variant,
          journal,
        });
      }
    }
  }
  return cases;
}

/**
 * fail2ban's expected time: the annotation read as local time (TZ must already be the test's
 * zone), with fractions of a second; undefined when the annotation does not check time. Like
 * strptime, single-digit fields are accepted (`2005-03-7T02:09:33` is in the samples).
 */
export function expectedTime(time: string | null | undefined): number | undefined {
  if (typeof time !== 'string') return undefined;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?$/.exec(time);
  if (!m) throw new Error(`unreadable failJSON time "${time}"`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const micros = Number((m[7] ?? '').padEnd(6, '0'));
  return new Date(y, mo - 1, d, h, mi, s).getTime() + Math.floor(micros / 1000);
}
