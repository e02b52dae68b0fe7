// A directory's entry events straight from inotify (fs.watch): each write, creation, removal or
// rename of a file in it, by path, as soon as the kernel reports it. chokidar reports a write
// after a stat and some bookkeeping of its own, 0.3 ms and more later, and at most every 50 ms
// a file (bench/figures/ban-latency.mjs); FileTail reads on these events and keeps chokidar for
// what appears and disappears. Never keeps the process alive on its own.

import { watch } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Calls `onEntry(path)` for every event on an entry of `dir`; undefined when `dir` cannot be
 * watched (it does not exist yet, or the inotify watch limit is reached). Returns the closer.
 */
export function watchDirWrites(
  dir: string,
  onEntry: (path: string) => void,
  onError: (err: Error) => void,
): (() => void) | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (typeof name === 'string') onEntry(resolve(dir, name));
    });
    watcher.on('error', onError);
    return () => watcher.close();
  } catch {
    return undefined;
  }
}
