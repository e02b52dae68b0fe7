// The LogSource port for `backend = polling`: no watches at all, for filesystems that send no
// inotify events (NFS, some FUSE and container mounts). Every interval it lists the directory of
// each logpath for new matches and asks every reader to look for appended lines; the reading,
// rotation handling and positions are the ReaderPool's, as for the inotify source.

import { readdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { requirePackage } from '../core/require-package.ts';
import type { FollowOptions, LineListener, LogSource, SkipOld, Subscription } from '../jail/ports.ts';
import type { FileSourceOptions } from './file-tail.ts';
import { ReaderPool } from './reader-pool.ts';

const picomatch = requirePackage('picomatch') as typeof import('picomatch');

type Listener = LineListener;

interface Pattern {
  readonly dir: string;
  readonly isMatch: (name: string) => boolean;
  readonly head: boolean;
  readonly skipOld: SkipOld | undefined;
}

interface Sub {
  readonly onLine: Listener;
  readonly filter: FollowOptions['filter'];
  readonly patterns: readonly Pattern[];
  readonly mine: Set<string>;
}

/** fail2ban polls every second too (its jail sleeptime). */
export const POLL_INTERVAL_MS = 1_000;

export class PollingTail implements LogSource {
  readonly #pool: ReaderPool;
  readonly #subs = new Set<Sub>();
  readonly #intervalMs: number;
  #cancel: (() => void) | undefined;
  #polling: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly clock: Clock,
    log: Logger,
    options: FileSourceOptions & { intervalMs?: number } = {},
  ) {
    this.#pool = new ReaderPool({ clock, log, ...options });
    this.#intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  }

  async follow(
    paths: readonly string[],
    onLine: Listener,
    options: FollowOptions = {},
  ): Promise<Subscription> {
    const heads = new Set((options.fromHead ?? []).map((p) => resolve(p)));
    const patterns = paths.map((p) => {
      const abs = resolve(p);
      const head = heads.has(abs);
      const skipOld = head ? options.skipOld : undefined;
      return { dir: dirname(abs), isMatch: picomatch(basename(abs), { dot: true }), head, skipOld };
    });
    const sub: Sub = { onLine, filter: options.filter, patterns, mine: new Set() };
    this.#subs.add(sub);
    await this.#discover(sub, true);
    this.#arm();
    return {
      files: () => [...sub.mine].filter((p) => this.#pool.has(p)),
      close: async () => {
        this.#subs.delete(sub);
        for (const p of sub.mine) await this.#pool.detach(p, onLine);
        sub.mine.clear();
        if (this.#subs.size === 0) {
          this.#cancel?.();
          this.#cancel = undefined;
        }
      },
    };
  }

  resume(): Promise<void> {
    return this.#pool.resume();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cancel?.();
    this.#cancel = undefined;
    await this.#polling;
    this.#subs.clear();
    await this.#pool.close();
  }

  #arm(): void {
    if (this.#cancel || this.#closed) return;
    this.#cancel = this.clock.setTimer(this.#intervalMs, () => {
      this.#cancel = undefined;
      this.#polling = this.#poll().finally(() => {
        this.#polling = undefined;
        if (this.#subs.size > 0) this.#arm();
      });
    });
  }

  async #poll(): Promise<void> {
    for (const sub of this.#subs) await this.#discover(sub, false);
    await Promise.all(this.#pool.paths().map((p) => this.#pool.read(p)));
  }

  /** Attaches files matching the subscription's patterns that it does not follow yet. */
  async #discover(sub: Sub, initial: boolean): Promise<void> {
    for (const pattern of sub.patterns) {
      const entries = await readdir(pattern.dir, { withFileTypes: true }).catch(() => []);
      for (const name of entries.map((e) => (e.isDirectory() ? '' : e.name)).sort()) {
        if (!name || !pattern.isMatch(name)) continue;
        const path = resolve(pattern.dir, name);
        if (sub.mine.has(path) || !this.#subs.has(sub)) continue;
        sub.mine.add(path);
        await this.#pool.attach(path, sub.onLine, {
          initial,
          head: pattern.head,
          skipOld: pattern.skipOld,
          filter: sub.filter,
        });
      }
    }
  }
}
