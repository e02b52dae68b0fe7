// The LogSource port on chokidar (inotify): watches the directory of every logpath so a file
// that does not exist yet, or that a glob will match later, is picked up when it appears.
// One FileReader per file, shared by every jail that follows it. Files present when a
// subscription starts are read from their end; files that appear later, from their start.

import { basename, dirname, resolve } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import picomatch from 'picomatch';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Line } from '../core/types.ts';
import type { LogSource, Subscription } from '../jail/ports.ts';
import { FileReader } from './file-reader.ts';

type Listener = (line: Line) => void;

interface Tracked {
  reader: FileReader;
  listeners: Set<Listener>;
  trailing: NodeJS.Timeout | undefined;
}

// chokidar drops 'change' events that follow another within 50 ms and sends no trailing one,
// so appends made in that window would wait for the next write. One extra read just after the
// window closes catches them.
const TRAILING_READ_MS = 60;

interface DirWatch {
  watcher: FSWatcher;
  matchers: Set<{ test: (name: string) => boolean; onFile: (path: string, initial: boolean) => void }>;
}

export class FileTail implements LogSource {
  readonly #files = new Map<string, Tracked>();
  readonly #dirs = new Map<string, DirWatch>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async follow(paths: readonly string[], onLine: Listener): Promise<Subscription> {
    const mine = new Set<string>();
    const cleanups: (() => void)[] = [];
    const attach = async (path: string, initial: boolean) => {
      if (mine.has(path)) return;
      mine.add(path);
      await this.#attach(path, onLine, initial);
    };
    for (const pattern of paths) {
      const abs = resolve(pattern);
      const dir = dirname(abs);
      const isMatch = picomatch(basename(abs), { dot: true });
      const entry = { test: isMatch, onFile: (p: string, initial: boolean) => void attach(p, initial) };
      const dw = await this.#watchDir(dir);
      // Files already present were reported while the watcher got ready: replay them.
      const known = dw.watcher.getWatched()[dir] ?? [];
      for (const name of known) if (isMatch(name)) await attach(resolve(dir, name), true);
      dw.matchers.add(entry);
      cleanups.push(() => dw.matchers.delete(entry));
    }
    return {
      files: () => [...mine].filter((p) => this.#files.has(p)),
      close: async () => {
        for (const c of cleanups) c();
        for (const p of mine) await this.#detach(p, onLine);
        mine.clear();
        await this.#closeIdleDirs();
      },
    };
  }

  async close(): Promise<void> {
    for (const dw of this.#dirs.values()) await dw.watcher.close();
    this.#dirs.clear();
    for (const t of this.#files.values()) {
      clearTimeout(t.trailing);
      await t.reader.close();
    }
    this.#files.clear();
  }

  async #watchDir(dir: string): Promise<DirWatch> {
    const existing = this.#dirs.get(dir);
    if (existing) return existing;
    const watcher = watch(dir, { depth: 0, ignoreInitial: true, persistent: true });
    const dw: DirWatch = { watcher, matchers: new Set() };
    this.#dirs.set(dir, dw);
    const onFile = (p: string, initial: boolean) => {
      const name = basename(p);
      for (const m of dw.matchers) if (m.test(name)) m.onFile(resolve(p), initial);
    };
    watcher.on('add', (p) => {
      // The same name again (logrotate's rename + create): the reader switches inodes.
      void this.#files.get(resolve(p))?.reader.poke();
      onFile(p, false);
    });
    watcher.on('change', (p) => this.#changed(resolve(p)));
    watcher.on('error', (err) => this.log.warn({ err, dir }, 'Log directory watch failed.'));
    await new Promise<void>((ok) => watcher.once('ready', () => ok()));
    return dw;
  }

  async #attach(path: string, onLine: Listener, fromEnd: boolean): Promise<void> {
    const tracked = this.#files.get(path);
    if (tracked) {
      tracked.listeners.add(onLine);
      // A file (re)created under a name we already follow: read it from the start.
      if (!fromEnd) await tracked.reader.poke();
      return;
    }
    const listeners = new Set<Listener>([onLine]);
    const reader = new FileReader(path, (text) => {
      const line: Line = { text, source: path, time: this.clock.now() };
      for (const l of listeners) l(line);
    });
    this.#files.set(path, { reader, listeners, trailing: undefined });
    try {
      await reader.open(fromEnd);
      this.log.info({ path, fromEnd }, 'Following log file.');
      if (!fromEnd) await reader.poke();
    } catch (err) {
      this.log.warn({ err, path }, 'Could not open log file; will retry when it changes.');
    }
  }

  #changed(path: string): void {
    const t = this.#files.get(path);
    if (!t) return;
    void t.reader.poke();
    if (t.trailing) return;
    t.trailing = setTimeout(() => {
      t.trailing = undefined;
      void t.reader.poke();
    }, TRAILING_READ_MS);
  }

  async #detach(path: string, onLine: Listener): Promise<void> {
    const t = this.#files.get(path);
    if (!t) return;
    t.listeners.delete(onLine);
    if (t.listeners.size > 0) return;
    this.#files.delete(path);
    clearTimeout(t.trailing);
    await t.reader.close();
  }

  async #closeIdleDirs(): Promise<void> {
    for (const [dir, dw] of this.#dirs) {
      if (dw.matchers.size > 0) continue;
      this.#dirs.delete(dir);
      await dw.watcher.close();
    }
  }
}
