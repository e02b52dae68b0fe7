// The LogSource port on chokidar (inotify): watches the directory of every logpath so a file
// that does not exist yet, or that a glob will match later, is picked up when it appears.
// One FileReader per file, shared by every jail that follows it. Files present when a
// subscription starts are read from their end; files that appear later, from their start.

import { existsSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
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
  /** Cancels the pending trailing read. */
  cancelTrailing: (() => void) | undefined;
}

// chokidar drops 'change' events that follow an emitted one within 50 ms and sends no trailing
// one, so appends made in that window would wait for the next write. A read just after the
// window closes catches them; it is re-armed on every event, because a window that opens while
// an earlier trailing read is pending ends after that read.
const TRAILING_READ_MS = 60;

interface DirWatch {
  watcher: FSWatcher;
  /** Settles when the initial scan is done: only then does getWatched() list present files. */
  ready: Promise<void>;
  matchers: Set<{ test: (name: string) => boolean; onFile: (path: string, initial: boolean) => void }>;
}

/**
 * Watches `dir` itself when it exists. When it does not (a logpath under a directory that a
 * package will create later), watches its nearest existing ancestor down to `dir`, ignoring
 * everything off that path, so the files appear once the directories do.
 */
function watchPath(dir: string): FSWatcher {
  let base = dir;
  while (!existsSync(base) && dirname(base) !== base) base = dirname(base);
  if (base === dir) return watch(dir, { depth: 0, ignoreInitial: true, persistent: true });
  const depth = dir.slice(base.length).split(sep).filter(Boolean).length;
  const onPath = (p: string) => p === base || p === dir || dir.startsWith(p + sep) || dirname(p) === dir;
  return watch(base, {
    depth,
    ignoreInitial: true,
    persistent: true,
    ignored: (p: string) => !onPath(resolve(p)),
  });
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
      const dw = this.#watchDir(dir);
      // Registered before any await: a file created meanwhile is not missed, and a concurrent
      // close() of another subscription does not see the directory as idle and unwatch it.
      dw.matchers.add(entry);
      cleanups.push(() => dw.matchers.delete(entry));
      await dw.ready;
      // Files already present were reported while the watcher got ready: replay them.
      const known = dw.watcher.getWatched()[dir] ?? [];
      for (const name of known) if (isMatch(name)) await attach(resolve(dir, name), true);
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
      t.cancelTrailing?.();
      await t.reader.close();
    }
    this.#files.clear();
  }

  /** The directory's watcher, shared; a caller that needs the present files awaits `ready`. */
  #watchDir(dir: string): DirWatch {
    const existing = this.#dirs.get(dir);
    if (existing) return existing;
    const watcher = watchPath(dir);
    const ready = new Promise<void>((ok) => watcher.once('ready', () => ok()));
    const dw: DirWatch = { watcher, ready, matchers: new Set() };
    this.#dirs.set(dir, dw);
    const onFile = (p: string, initial: boolean) => {
      const name = basename(p);
      for (const m of dw.matchers) if (m.test(name)) m.onFile(resolve(p), initial);
    };
    watcher.on('add', (p) => {
      // The same name again (logrotate's rename + create): the reader switches inodes.
      this.#changed(resolve(p));
      onFile(p, false);
    });
    watcher.on('change', (p) => this.#changed(resolve(p)));
    watcher.on('error', (err) => this.log.warn({ err, dir }, 'Log directory watch failed.'));
    return dw;
  }

  async #attach(path: string, onLine: Listener, fromEnd: boolean): Promise<void> {
    const tracked = this.#files.get(path);
    if (tracked) {
      tracked.listeners.add(onLine);
      // A file (re)created under a name we already follow: read it from the start.
      if (!fromEnd) await this.#read(path, tracked);
      return;
    }
    const listeners = new Set<Listener>([onLine]);
    const reader = new FileReader(
      path,
      (text) => {
        const line: Line = { text, source: path, time: this.clock.now() };
        for (const l of listeners) this.#deliver(l, line);
      },
      fromEnd,
    );
    const t: Tracked = { reader, listeners, cancelTrailing: undefined };
    this.#files.set(path, t);
    // The first read opens the file; it goes through the reader's serial loop, so a change event
    // that arrives meanwhile cannot open it a second time (and from the wrong offset).
    await this.#read(path, t);
    if (reader.isOpen) this.log.info({ path, fromEnd }, 'Following log file.');
    else this.log.warn({ path }, 'Could not open log file; will retry when it changes.');
    // A file that just appeared may still be being written before its own watch was set up.
    if (!fromEnd) this.#armTrailing(path, t);
  }

  #changed(path: string): void {
    const t = this.#files.get(path);
    if (!t) return;
    void this.#read(path, t);
    this.#armTrailing(path, t);
  }

  #armTrailing(path: string, t: Tracked): void {
    t.cancelTrailing?.();
    t.cancelTrailing = this.clock.setTimer(TRAILING_READ_MS, () => {
      t.cancelTrailing = undefined;
      void this.#read(path, t);
    });
  }

  /** Never rejects: a read that fails is logged and retried on the next event. */
  #read(path: string, t: Tracked): Promise<void> {
    return t.reader.poke().catch((err) => this.log.warn({ err, path }, 'Reading log file failed.'));
  }

  // One failing subscriber must not starve the others or abort the read mid-chunk.
  #deliver(listener: Listener, line: Line): void {
    try {
      listener(line);
    } catch (err) {
      this.log.error({ err, source: line.source }, 'Log line subscriber failed.');
    }
  }

  async #detach(path: string, onLine: Listener): Promise<void> {
    const t = this.#files.get(path);
    if (!t) return;
    t.listeners.delete(onLine);
    if (t.listeners.size > 0) return;
    this.#files.delete(path);
    t.cancelTrailing?.();
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
