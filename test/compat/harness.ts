// Runs banhammer's filter engine (loadFilter + compileFilter, default options) on fail2ban's stock
// filters and checks every annotated sample line: match or not, host (address, compared
// canonically), and time to the second. Lines go through one filter instance per variant in file
// order, as fail2ban's samplestestcase.py feeds them, because multi-line filters (maxlines,
// <F-MLFID>) carry state from line to line. The TZ must be set (zurich.ts) first.

import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadFilter } from '../../src/config/filter-file.ts';
import { parseLoggedAddress } from '../../src/core/address.ts';
import { type ConfigProblem, formatProblem } from '../../src/core/errors.ts';
import { compileFilter, type Filter, type Match } from '../../src/filter/compile.ts';
import type { Fail2banPackage } from '../support/fail2ban-package.ts';
import {
  expectedTime,
  readSamples,
  type SampleCase,
  stockFilters,
  TEST_NOW,
  type Variant,
} from './fail2ban-samples.ts';

/** Why a line was counted wrong; the first applicable one when several apply. */
export type Cause =
  | 'filter does not load'
  | 'no sample log'
  | 'missed (expected a match, got none)'
  | 'false match (expected none)'
  | 'wrong address'
  | 'host name not returned'
  | 'wrong time'
  | 'no time read';

export interface LineFailure {
  readonly file: string;
  readonly lineNo: number;
  /** The variant's options, as fail2ban's test names them (empty for the plain filter). */
  readonly options: string;
  readonly line: string;
  readonly cause: Cause;
  readonly reason: string;
}

export interface FilterReport {
  readonly name: string;
  /** Undefined when every variant loads and compiles; otherwise the first variant's problems. */
  readonly loadError: string | undefined;
  readonly multiline: boolean;
  /** Annotated lines, one per variant they run against. */
  readonly lines: number;
  readonly correct: number;
  readonly failures: readonly LineFailure[];
  /** Lines whose `host` is a host name, not an address: how many banhammer returned as such. */
  readonly hostNames: { readonly lines: number; readonly correct: number };
}

export interface CompatReport {
  /** e.g. `1.0.2 (Debian 1.0.2-2)`. */
  readonly fail2ban: string;
  readonly filters: readonly FilterReport[];
}

interface Loaded {
  readonly filter?: Filter;
  readonly error?: string;
  readonly multiline: boolean;
}

/** fail2ban's version from the unpacked package: upstream and Debian's. */
export function packageVersion(pkg: Fail2banPackage): string {
  const root = join(pkg.etc, '..', '..');
  const py = readFileSync(join(root, 'usr/lib/python3/dist-packages/fail2ban/version.py'), 'utf8');
  const upstream = /^version = "([^"]+)"/m.exec(py)?.[1] ?? 'unknown';
  try {
    const changelog = gunzipSync(readFileSync(join(root, 'usr/share/doc/fail2ban/changelog.Debian.gz')));
    const debian = /^fail2ban \(([^)]+)\)/.exec(changelog.toString('utf8'))?.[1];
    return debian ? `${upstream} (Debian ${debian})` : upstream;
  } catch {
    return upstream;
  }
}

/** Local time (the process TZ) as `YYYY-MM-DDTHH:MM:SS`, as failJSON writes it. */
export function localIso(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())}` +
    `T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
  );
}

function problemsText(problems: readonly ConfigProblem[], dir: string): string {
  return problems.map(formatProblem).join('; ').split(`${dir}/`).join('');
}

function load(dir: string, name: string, variant: Variant): Loaded {
  const loaded = loadFilter(dir, name, variant.args);
  if ('problems' in loaded) return { error: problemsText(loaded.problems, dir), multiline: false };
  const multiline = (loaded.filter.maxlines ?? 1) > 1;
  const compiled = compileFilter(loaded.filter);
  if ('problems' in compiled) return { error: problemsText(compiled.problems, dir), multiline };
  return { filter: compiled.filter, multiline };
}

const got = (m: Match) => m.address?.text ?? (m.host !== undefined ? `host name ${m.host}` : 'nothing');

/** Checks one case against a compiled filter; undefined when banhammer agrees with fail2ban. */
function check(
  c: SampleCase,
  filter: Filter,
  hostNames: { lines: number; correct: number },
): { cause: Cause; reason: string } | undefined {
  const limitedBefore = filter.limited();
  // Journal entries carry their time: fail2ban hands it over and does not look for a date.
  const m = filter.match(c.line, TEST_NOW, c.journal ? TEST_NOW : undefined);
  const limited = filter.limited() > limitedBefore ? ' (the bounded fallback matcher gave up)' : '';
  const host = typeof c.expect.host === 'string' ? c.expect.host : undefined;
  const address = host === undefined ? undefined : parseLoggedAddress(host);
  if (host !== undefined && !address && c.expect.match === true) hostNames.lines++;
  if (c.expect.match !== true) {
    return m
      ? { cause: 'false match (expected none)', reason: `expected no match, got ${got(m)}` }
      : undefined;
  }
  if (!m)
    return { cause: 'missed (expected a match, got none)', reason: `expected a match, got none${limited}` };
  if (address && m.address?.text !== address.text) {
    return { cause: 'wrong address', reason: `host: expected ${host}, got ${got(m)}` };
  }
  if (host !== undefined && !address) {
    if (m.host !== host) {
      return { cause: 'host name not returned', reason: `host: expected host name ${host}, got ${got(m)}` };
    }
    hostNames.correct++;
  }
  const want = expectedTime(c.expect.time);
  if (want === undefined) return undefined;
  // Journal entries carry their time (fail2ban uses TEST_NOW); a line without one is read "now".
  const time = m.time;
  if (time === undefined) {
    return { cause: 'no time read', reason: `time: expected ${c.expect.time}, no date read from the line` };
  }
  if (Math.floor(time / 1000) !== Math.floor(want / 1000)) {
    const diff = Math.round((time - want) / 1000);
    return {
      cause: 'wrong time',
      reason: `time: expected ${c.expect.time}, got ${localIso(time)} (${diff > 0 ? '+' : ''}${diff} s)`,
    };
  }
  return undefined;
}

function runFilter(dir: string, logs: string, name: string): FilterReport {
  const failures: LineFailure[] = [];
  const hostNames = { lines: 0, correct: 0 };
  let cases: SampleCase[];
  try {
    cases = readSamples(logs, name);
  } catch (err) {
    const loaded = load(dir, name, { name, args: {}, opts: {} });
    const reason = (err as Error).message;
    failures.push({ file: name, lineNo: 0, options: '', line: '', cause: 'no sample log', reason });
    return {
      name,
      loadError: loaded.error,
      multiline: loaded.multiline,
      lines: 0,
      correct: 0,
      failures,
      hostNames,
    };
  }
  const variants = new Map<string, Loaded>();
  let loadError: string | undefined;
  let multiline = false;
  let correct = 0;
  for (const c of cases) {
    let v = variants.get(c.variant.name);
    if (!v) {
      v = load(dir, name, c.variant);
      variants.set(c.variant.name, v);
      const options = c.variant.name.slice(name.length);
      if (v.error !== undefined && loadError === undefined)
        loadError = options ? `${options}: ${v.error}` : v.error;
      multiline ||= v.multiline;
    }
    const failure = !v.filter
      ? { cause: 'filter does not load' as const, reason: 'filter does not load' }
      : check(c, v.filter, hostNames);
    if (!failure) {
      correct++;
      continue;
    }
    const options = c.variant.name.slice(name.length);
    failures.push({ file: c.file, lineNo: c.lineNo, options, line: c.line, ...failure });
  }
  return { name, loadError, multiline, lines: cases.length, correct, failures, hostNames };
}

/** Runs every stock filter of `pkg` against its samples, from a temporary copy of its filter.d. */
export function runCompat(pkg: Fail2banPackage): CompatReport {
  const dir = mkdtempSync(join(tmpdir(), 'banhammer-compat-'));
  try {
    cpSync(join(pkg.etc, 'filter.d'), join(dir, 'filter.d'), { recursive: true });
    const filters = stockFilters(join(dir, 'filter.d')).map((name) => runFilter(dir, pkg.logs, name));
    return { fail2ban: packageVersion(pkg), filters };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
