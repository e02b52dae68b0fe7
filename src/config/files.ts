// Which files make up a configuration, in the order fail2ban-style layering reads them:
// X.conf, then X.local, then X.d/*.conf, then X.d/*.local, each group in lexical order.
// With includes.ts, the only modules of config/ that touch the file system.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConfigFile {
  readonly path: string;
  readonly text: string;
}

function readIfPresent(path: string): ConfigFile | undefined {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The `*suffix` files of a drop-in folder in lexical order; none when the folder does not exist. */
export function listDropIns(dir: string, suffix: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(suffix) && !name.startsWith('.'))
      .sort()
      .map((name) => join(dir, name));
  } catch (err) {
    // No drop-in folder is the usual case; an unreadable one is an installation fault.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/** `base.conf`, `base.local`, then `dropins/*.conf` and `dropins/*.local` (when given). */
export function layeredFiles(dir: string, base: string, dropins?: string): ConfigFile[] {
  const paths = [join(dir, `${base}.conf`), join(dir, `${base}.local`)];
  if (dropins)
    paths.push(...listDropIns(join(dir, dropins), '.conf'), ...listDropIns(join(dir, dropins), '.local'));
  return paths.map(readIfPresent).filter((f): f is ConfigFile => f !== undefined);
}
