// Which files make up a configuration, in the order fail2ban-style layering reads them:
// X.conf, then X.local, then X.d/*.conf, then X.d/*.local, each group in lexical order.
// The only module of config/ that touches the file system; everything after it is pure.

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

function listDir(dir: string, suffix: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(suffix) && !name.startsWith('.'))
      .sort()
      .map((name) => join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** `base.conf`, `base.local`, then `dropins/*.conf` and `dropins/*.local` (when given). */
export function layeredFiles(dir: string, base: string, dropins?: string): ConfigFile[] {
  const paths = [join(dir, `${base}.conf`), join(dir, `${base}.local`)];
  if (dropins) paths.push(...listDir(join(dir, dropins), '.conf'), ...listDir(join(dir, dropins), '.local'));
  return paths.map(readIfPresent).filter((f): f is ConfigFile => f !== undefined);
}
