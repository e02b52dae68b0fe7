// The LogSource port on chokidar (inotify): watches the directory of every logpath so a file
// that does not exist yet, or that a glob will match later, is picked up when it appears. A
// followed file is read as soon as its directory's own fs.watch reports a write (dir-writes.ts),
// and each read starts with synchronous looks (OpenFile.lookSync); chokidar's later, throttled
// 'change' stays as the fallback, with a trailing read.
// Reading, sharing and positions belong to the ReaderPool; this module only says when a file
// exists and when it changed. Files present when a subscription starts begin where the last run
// stopped, else at their end (`head`: their first line not too old to count); files that appear
// later, at their start.

import { existsSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { requirePackage } from '../core/require-package.ts';
import type { FollowOptions, LineListener, LogSource, Subscription } from '../jail/ports.ts';
import { watchDirWrites } from './dir-writes.ts';
import type { PositionStore } from './ports.ts';
import { ReaderPool } from './reader-pool.ts';

const picomatch = requirePackage('picomatch') as typeof import('picomatch');

type Listener = LineListener;

// chokidar drops 'change' events that follow an emitted one within 50 ms and sends no trailing
// one, so appends made in that window would wait for the next write. A read just after the
// window closes catches them; it is re-armed on every event, because a window that opens while
// an earlier trailing read is pending ends after that read.
const TRAILING_READ_MS = 60;

interface DirWatch {
  watcher: FSWatcher;
  /** Closes the directory's fs.watch (dir-writes.ts); undefined until the directory exists. */
  closeWrites: (() => void) | undefined;
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

export interface FileSourceOptions {
  /** Where positions persist; without it every start is a first start. */
  readonly positions?: PositionStore | undefined;
  /** Subscribe now, read from resume() on: every jail subscribes before the first line is read. */
  readonly paused?: boolean;
  /** How long a renamed-away file is still read after it stops growing (default 5 s). */
  readonly retireAfterMs?: number;
}

export class FileTail implements LogSource {
  readonly #dirs = new Map<string, DirWatch>();
  readonly #pool: ReaderPool;
  /** Cancels each path's pending trailing read. */
  readonly #trailing = new Map<string, () => void>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    options: FileSourceOptions = {},
  ) {
    // inotify reports writes on local disks only, where a look at a file never blocks for long.
    this.#pool = new ReaderPool({ clock, log, ...options, syncLooks: true });
  }

  async follow(
    paths: readonly string[],
    onLine: Listener,
    options: FollowOptions = {},
  ): Promise<Subscription> {
    const mine = new Set<string>();
    const cleanups: (() => void)[] = [];
    const heads = new Set((options.fromHead ?? []).map((p) => resolve(p)));
    for (const pattern of paths) {
      const abs = resolve(pattern);
      const head = heads.has(abs);
      const attach = async (path: string, initial: boolean) => {
        if (mine.has(path)) return;
        mine.add(path);
        await this.#attach(path, onLine, {
          initial,
          head,
          skipOld: head ? options.skipOld : undefined,
          filter: options.filter,
        });
      };
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
      files: () => [...mine].filter((p) => this.#pool.has(p)),
      close: async () => {
        for (const c of cleanups) c();
        for (const p of mine) await this.#detach(p, onLine);
        mine.clear();
        await this.#closeIdleDirs();
      },
    };
  }

  /** Starts reading when the tail was made `paused`. */
  resume(): Promise<void> {
    return this.#pool.resume();
  }

  async close(): Promise<void> {
    for (const dw of this.#dirs.values()) {
      dw.closeWrites?.();
      await dw.watcher.close();
    }
    this.#dirs.clear();
    for (const cancel of this.#trailing.values()) cancel();
    this.#trailing.clear();
    await this.#pool.close();
  }

  /** The directory's watcher, shared; a caller that needs the present files awaits `ready`. */
  #watchDir(dir: string): DirWatch {
    const existing = this.#dirs.get(dir);
    if (existing) return existing;
    const watcher = watchPath(dir);
    const ready = new Promise<void>((ok) => watcher.once('ready', () => ok()));
    const dw: DirWatch = { watcher, closeWrites: undefined, ready, matchers: new Set() };
    this.#dirs.set(dir, dw);
    this.#watchWrites(dir, dw);
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

  /** The directory's own write events, once it exists; chokidar's stand in until then. */
  #watchWrites(dir: string, dw: DirWatch): void {
    dw.closeWrites ??= watchDirWrites(
      dir,
      (path) => {
        // A read already under way makes one more pass after it: no write goes unread.
        if (this.#pool.has(path)) void this.#pool.read(path);
      },
      (err) => {
        this.log.warn({ err, dir }, 'Log directory write watch failed; reading on chokidar events.');
        dw.closeWrites?.();
        dw.closeWrites = undefined;
      },
    );
  }

  async #attach(path: string, onLine: Listener, how: Parameters<ReaderPool['attach']>[2]): Promise<void> {
    const { initial } = how;
    const known = this.#pool.has(path);
    // The directory exists now if it did not when the subscription began.
    const dw = this.#dirs.get(dirname(path));
    if (dw) this.#watchWrites(dirname(path), dw);
    await this.#pool.attach(path, onLine, how);
    // A file (re)created under a name already followed: read it.
    if (known && !initial) await this.#pool.read(path);
    // A file that just appeared may still be being written before its own watch was set up.
    if (!initial) this.#armTrailing(path);
  }

  #changed(path: string): void {
    if (!this.#pool.has(path)) return;
    void this.#pool.read(path);
    this.#armTrailing(path);
  }

  #armTrailing(path: string): void {
    this.#trailing.get(path)?.();
    this.#trailing.set(
      path,
      this.clock.setTimer(TRAILING_READ_MS, () => {
        this.#trailing.delete(path);
        void this.#pool.read(path);
      }),
    );
  }

  async #detach(path: string, onLine: Listener): Promise<void> {
    await this.#pool.detach(path, onLine);
    if (this.#pool.has(path)) return;
    this.#trailing.get(path)?.();
    this.#trailing.delete(path);
  }

  async #closeIdleDirs(): Promise<void> {
    for (const [dir, dw] of this.#dirs) {
      if (dw.matchers.size > 0) continue;
      this.#dirs.delete(dir);
      dw.closeWrites?.();
      await dw.watcher.close();
    }
  }
}
