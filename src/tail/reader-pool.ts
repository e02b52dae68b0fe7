// The readers of every followed file, shared by the file sources (inotify and polling), which only
// decide when a file exists and when to read it. One FileReader per path whatever the number of
// subscribers; a failing subscriber never starves the others. Positions are saved at most once a
// second and when a reader closes, and only as far as lines were delivered. A pool may start
// paused so that every jail subscribes before the first read: a shared reader resuming after a
// restart must hand the backlog to all of its subscribers, not just the first.

import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Line } from '../core/types.ts';
import type { SkipOld } from '../jail/ports.ts';
import { FileReader } from './file-reader.ts';
import type { FilePosition, PositionStore } from './ports.ts';
import { seekByDate } from './seek-by-date.ts';

type Listener = (line: Line) => void;

/** How often positions reach the store at most. */
export const SAVE_INTERVAL_MS = 1_000;
/** A renamed-away file sends no events of its own; it is read this often until it goes quiet. */
const RETIRING_POLL_MS = 200;

interface Tracked {
  readonly reader: FileReader;
  readonly listeners: Set<Listener>;
  /** Whether any subscriber asked for `head` (read a file never seen before from its start). */
  head: boolean;
  /**
   * What the `head` subscribers let a first read skip: per date reader, the earliest date that
   * still counts. Undefined once one of them wants every line.
   */
  skipOld: Map<SkipOld['timeOf'], number> | undefined;
  cancelPoll: (() => void) | undefined;
  /** Over-long lines already reported, so each read logs only the new ones. */
  dropped: number;
}

export interface ReaderPoolOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly positions?: PositionStore | undefined;
  /** Attach readers but read nothing until resume(). */
  readonly paused?: boolean;
  readonly retireAfterMs?: number;
  /** See FileReaderOptions.syncLooks. */
  readonly syncLooks?: boolean;
}

export class ReaderPool {
  readonly #files = new Map<string, Tracked>();
  readonly #saved = new Map<string, FilePosition>();
  readonly #o: ReaderPoolOptions;
  #paused: boolean;
  #cancelSave: (() => void) | undefined;

  constructor(options: ReaderPoolOptions) {
    this.#o = options;
    this.#paused = options.paused ?? false;
  }

  has(path: string): boolean {
    return this.#files.has(path);
  }

  /** Every followed path. */
  paths(): string[] {
    return [...this.#files.keys()];
  }

  /**
   * Adds `onLine` to the reader of `path`, creating it if needed. `initial`: the file was there
   * when the subscription began (a file with no stored position then starts at its end, unless
   * `head`: at its start, past the lines `skipOld` finds too old); a file that appears later is
   * read from its start.
   */
  async attach(
    path: string,
    onLine: Listener,
    how: { initial: boolean; head: boolean; skipOld?: SkipOld | undefined },
  ): Promise<void> {
    const tracked = this.#files.get(path);
    if (tracked) {
      tracked.listeners.add(onLine);
      wantFrom(tracked, how);
      return;
    }
    const { clock, log, positions } = this.#o;
    const listeners = new Set<Listener>([onLine]);
    const stored = positions?.filePosition(path);
    let t: Tracked | undefined;
    const reader = new FileReader({
      path,
      stored,
      start: () => (how.initial && !t?.head ? 'tail' : 'head'),
      headOffset: how.initial ? (file, size) => headOffset(t!, file, size) : undefined,
      emit: (text) => {
        const line: Line = { text, source: path, time: clock.now() };
        for (const l of listeners) this.#deliver(l, line);
      },
      now: () => clock.now(),
      log,
      retireAfterMs: this.#o.retireAfterMs,
      syncLooks: this.#o.syncLooks,
    });
    t = { reader, listeners, head: false, skipOld: new Map(), cancelPoll: undefined, dropped: 0 };
    wantFrom(t, how);
    this.#files.set(path, t);
    if (this.#paused) return;
    await this.#firstRead(path, t);
  }

  /** Reads what was appended to `path`. Never rejects: a failed read is logged and retried later. */
  read(path: string): Promise<void> {
    const t = this.#files.get(path);
    if (!t || this.#paused) return Promise.resolve();
    return t.reader
      .poke()
      .catch((err) => this.#o.log.warn({ err, path }, 'Reading log file failed.'))
      .then(() => this.#afterRead(path, t));
  }

  /** Starts a paused pool: every reader opens (resuming where it can) and reads. */
  async resume(): Promise<void> {
    if (!this.#paused) return;
    this.#paused = false;
    await Promise.all([...this.#files].map(([path, t]) => this.#firstRead(path, t)));
  }

  async detach(path: string, onLine: Listener): Promise<void> {
    const t = this.#files.get(path);
    if (!t) return;
    t.listeners.delete(onLine);
    if (t.listeners.size > 0) return;
    this.#files.delete(path);
    await this.#retire(path, t);
  }

  /** Closes every reader and saves where each stopped. */
  async close(): Promise<void> {
    const all = [...this.#files];
    this.#files.clear();
    this.#cancelSave?.();
    this.#cancelSave = undefined;
    for (const [path, t] of all) await this.#retire(path, t);
  }

  /** Writes the positions that moved since the last save. */
  save(): void {
    this.#cancelSave?.();
    this.#cancelSave = undefined;
    const batch = new Map<string, FilePosition>();
    for (const [path, t] of this.#files) {
      const p = t.reader.position();
      if (p && !samePosition(p, this.#saved.get(path))) batch.set(path, p);
    }
    this.#write(batch);
  }

  async #firstRead(path: string, t: Tracked): Promise<void> {
    await this.read(path);
    if (t.reader.isOpen) this.#o.log.info({ path }, 'Following log file.');
    else this.#o.log.warn({ path }, 'Could not open log file; will retry when it changes.');
  }

  #afterRead(path: string, t: Tracked): void {
    if (this.#files.get(path) !== t) return;
    const dropped = t.reader.droppedLines;
    if (dropped > t.dropped) {
      this.#o.log.warn(
        { path, lines: dropped - t.dropped, total: dropped },
        'Dropped over-long log lines (over 64 KiB); they were not matched.',
      );
      t.dropped = dropped;
    }
    if (this.#o.positions && !this.#cancelSave) {
      this.#cancelSave = this.#o.clock.setTimer(SAVE_INTERVAL_MS, () => this.save());
    }
    if (t.reader.retiring && !t.cancelPoll) {
      t.cancelPoll = this.#o.clock.setTimer(RETIRING_POLL_MS, () => {
        t.cancelPoll = undefined;
        void this.read(path);
      });
    }
  }

  async #retire(path: string, t: Tracked): Promise<void> {
    t.cancelPoll?.();
    await t.reader.close();
    const p = t.reader.position();
    // Written even when unchanged: the fresh timestamp keeps dbpurgeage from forgetting it.
    if (p) this.#write(new Map([[path, p]]));
  }

  #write(batch: Map<string, FilePosition>): void {
    if (batch.size === 0 || !this.#o.positions) return;
    try {
      this.#o.positions.saveFilePositions(batch);
      for (const [path, p] of batch) this.#saved.set(path, p);
    } catch (err) {
      this.#o.log.error({ err }, 'Could not save log positions.');
    }
  }

  // One failing subscriber must not starve the others or abort the read mid-chunk.
  #deliver(listener: Listener, line: Line): void {
    try {
      listener(line);
    } catch (err) {
      this.#o.log.error({ err, source: line.source }, 'Log line subscriber failed.');
    }
  }
}

/** Records where a subscriber wants a file never seen before to begin. */
function wantFrom(t: Tracked, how: { head: boolean; skipOld?: SkipOld | undefined }): void {
  if (!how.head) return;
  t.head = true;
  if (!how.skipOld) t.skipOld = undefined;
  else if (t.skipOld) {
    const { since, timeOf } = how.skipOld;
    t.skipOld.set(timeOf, Math.min(since, t.skipOld.get(timeOf) ?? since));
  }
}

/** Where a `head` file begins: the earliest start any of its `head` subscribers accepts. */
async function headOffset(t: Tracked, file: FileHandle, size: number): Promise<number> {
  if (!t.skipOld || t.skipOld.size === 0) return 0;
  let offset = size;
  for (const [timeOf, since] of t.skipOld) {
    offset = Math.min(offset, await seekByDate(file, size, { since, timeOf }));
    if (offset === 0) break;
  }
  return offset;
}

const samePosition = (a: FilePosition, b: FilePosition | undefined): boolean =>
  b !== undefined && a.offset === b.offset && a.ino === b.ino && a.dev === b.dev && a.hash === b.hash;
