// Reads one fail2ban config unit (action.d/NAME, filter.d/NAME) with its `.local`, its `NAME.d/`
// drop-ins and the files its `[INCLUDES]` names, into one layered IniDocument. Order follows
// fail2ban's reader: each file is preceded by its `before` files and followed by its `after` files,
// and a file's `.local` comes after that whole group, so the operator's `.local` wins over both.
// Only file reading happens here; a missing `X.local` include is normal, any other is a problem.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ConfigProblem } from '../core/errors.ts';
import { listDropIns } from './files.ts';
import type { IniDocument, IniEntry } from './ini.ts';
import { layer, parseIni, resolve } from './ini.ts';

/** How deep `[INCLUDES]` may nest; fail2ban has no limit but a chain this long is a mistake. */
export const MAX_INCLUDE_DEPTH = 10;

const INCLUDES = 'INCLUDES';

/** The merged document, the files it was layered from (in order, first use only) and every problem. */
export interface LayeredRead {
  readonly document: IniDocument;
  readonly files: readonly string[];
  readonly problems: readonly ConfigProblem[];
}

type Parsed = { document: IniDocument; problems: ConfigProblem[] } | 'missing';

class Reader {
  readonly cache = new Map<string, Parsed>();
  readonly problems: ConfigProblem[] = [];
  readonly reported = new Set<string>();

  parse(path: string): Parsed {
    let parsed = this.cache.get(path);
    if (parsed === undefined) {
      parsed = readParsed(path);
      this.cache.set(path, parsed);
      // A file included twice (a diamond) is layered twice, as fail2ban does, but reported once.
      if (parsed !== 'missing') this.problems.push(...parsed.problems);
    }
    return parsed;
  }

  report(problem: ConfigProblem): void {
    const key = `${problem.file}:${problem.line}:${problem.message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.push(problem);
  }

  /** `path` and its `.local` sibling, each surrounded by its own includes. */
  withLocal(path: string, chain: readonly string[]): Array<{ path: string; document: IniDocument }> {
    const local = localOf(path);
    const out = this.expand(path, chain);
    if (local !== path && !chain.includes(local)) out.push(...this.expand(local, chain));
    return out;
  }

  expand(path: string, chain: readonly string[]): Array<{ path: string; document: IniDocument }> {
    const parsed = this.parse(path);
    if (parsed === 'missing') return [];
    const inner = [...chain, path];
    const before = this.included(parsed.document, path, 'before', inner);
    const after = this.included(parsed.document, path, 'after', inner);
    return [...before, { path, document: parsed.document }, ...after];
  }

  included(doc: IniDocument, from: string, option: 'before' | 'after', chain: readonly string[]) {
    const resolved = resolve(doc, INCLUDES, option);
    if (resolved === undefined) return [];
    if ('problem' in resolved) {
      this.report(resolved.problem);
      return [];
    }
    const at = (message: string): ConfigProblem => problemAt(resolved.entry, option, message);
    const out: Array<{ path: string; document: IniDocument }> = [];
    for (const name of resolved.value.split('\n').map((s) => s.trim())) {
      if (name === '') continue;
      const path = isAbsolute(name) ? name : join(dirname(from), name);
      if (chain.includes(path)) {
        this.report(at(`include cycle: ${[...chain, path].join(' -> ')}`));
        continue;
      }
      if (chain.length >= MAX_INCLUDE_DEPTH) {
        this.report(at(`includes nest deeper than ${MAX_INCLUDE_DEPTH} files at "${name}"`));
        continue;
      }
      // fail2ban skips any missing include; only `.local` ones are optional by convention.
      if (this.parse(path) === 'missing' && !path.endsWith('.local')) {
        this.report(at(`included file "${name}" not found (looked for ${path})`));
        continue;
      }
      out.push(...this.withLocal(path, chain));
    }
    return out;
  }
}

// fail2ban's splitext(path)[0] + '.local': `a.conf` and `a` give `a.local`, `a.local` itself.
function localOf(path: string): string {
  return path.replace(/\.[^./]*$/, '') + '.local';
}

function problemAt(entry: IniEntry, option: string, message: string): ConfigProblem {
  return { file: entry.file, line: entry.line, option, message };
}

function readParsed(path: string): Parsed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    return { document: { sections: new Map() }, problems: [{ file: path, message: `cannot read: ${code}` }] };
  }
  return parseIni(text, path);
}

/**
 * Reads `dir/name.conf`, `dir/name.d/*.conf`, `dir/name.local`, `dir/name.d/*.local` (fail2ban's
 * order), each with its `[INCLUDES]` expanded. `files` is empty when none of them exists.
 */
export function readLayered(dir: string, name: string): LayeredRead {
  const base = join(dir, name);
  return readFiles([
    `${base}.conf`,
    ...listDropIns(`${base}.d`, '.conf'),
    `${base}.local`,
    ...listDropIns(`${base}.d`, '.local'),
  ]);
}

/** Layers the given files in order, each followed by its `.local` and with its includes expanded. */
export function readFiles(paths: readonly string[]): LayeredRead {
  const reader = new Reader();
  const parts: Array<{ path: string; document: IniDocument }> = [];
  const seen = new Set<string>();
  for (const path of paths) {
    if (seen.has(path)) continue;
    seen.add(path);
    const local = localOf(path);
    // The sibling `.local` is listed by the caller already (it must come after the drop-ins).
    parts.push(...(paths.includes(local) ? reader.expand(path, []) : reader.withLocal(path, [])));
  }
  return {
    document: layer(parts.map((p) => p.document)),
    files: [...new Set(parts.map((p) => p.path))],
    problems: reader.problems,
  };
}
