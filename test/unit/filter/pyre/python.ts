// The reference for the differential tests: CPython's re.search over a batch of (pattern, text)
// pairs in one `python3 -c` run per test file, and a check that a translation agrees with it
// (same match, same start, same named groups; a superset RE2 source matching wherever Python does).

import { execFileSync } from 'node:child_process';
import RE2 from 're2';
import type { Translation } from '../../../../src/filter/pyre/index.ts';

export interface Case {
  readonly pattern: string;
  readonly text: string;
}

export type PyResult =
  | { readonly error: string }
  /** CPython itself failed on this input (a bug in re); there is no reference answer. */
  | { readonly crash: string }
  | { readonly match: { readonly index: number; readonly groups: Record<string, string | null> } | null };

const SCRIPT = `
import json, re, sys, warnings
warnings.simplefilter('ignore')
out = []
for pattern, text in json.load(sys.stdin):
    try:
        rx = re.compile(pattern)
    except (re.error, OverflowError, ValueError) as e:
        out.append({'error': str(e)})
        continue
    try:
        m = rx.search(text)
    except Exception as e:  # CPython's own bugs, e.g. SystemError on a wrong group span
        out.append({'crash': repr(e)})
        continue
    out.append({'match': None if m is None else {'index': m.start(), 'groups': m.groupdict()}})
json.dump(out, sys.stdout)
`;

/** Python's verdict for every case, in order. */
export function pythonSearch(cases: readonly Case[]): PyResult[] {
  const input = JSON.stringify(cases.map((c) => [c.pattern, c.text]));
  const stdout = execFileSync('python3', ['-c', SCRIPT], { input, maxBuffer: 64 << 20 });
  return JSON.parse(stdout.toString('utf8')) as PyResult[];
}

/** Code-point index (Python's) of a UTF-16 index (JavaScript's). */
const cpIndex = (text: string, i: number) => Array.from(text.slice(0, i)).length;

type Found = { index: number; groups: Record<string, string | null> } | null;

function normal(groups: Record<string, string | undefined> | undefined): Record<string, string | null> {
  return Object.fromEntries(Object.entries(groups ?? {}).map(([k, v]) => [k, v ?? null]));
}

/** What the translation reports for `text`, in Python's terms; 'limit' when unconfirmed. */
export function banhammerSearch(t: Translation, text: string): Found | 'limit' | 'error' {
  if (t.kind === 'error') return 'error';
  if (t.kind === 'confirm') {
    const r = t.confirm.search(text);
    if (r === null || r === 'limit') return r;
    return { index: cpIndex(text, r.index), groups: normal(r.groups) };
  }
  const m = new RE2(t.source).exec(text);
  return m ? { index: cpIndex(text, m.index), groups: normal(m.groups) } : null;
}

/** A description of the disagreement with Python, or undefined when they agree. */
export function disagreement(t: Translation, text: string, py: PyResult): string | undefined {
  if ('crash' in py) return undefined;
  if ('error' in py) return t.kind === 'error' ? undefined : `Python refuses (${py.error}); got ${t.kind}`;
  if (t.kind === 'error') return `Python accepts; got error ${t.message}`;
  if (t.kind === 'confirm' && py.match && !new RE2(t.source).test(text)) {
    return `superset ${t.source} misses a line Python matches`;
  }
  const ours = banhammerSearch(t, text);
  const want = JSON.stringify(py.match);
  const got = JSON.stringify(ours);
  return want === got ? undefined : `Python ${want}, banhammer (${t.kind}) ${got}`;
}
