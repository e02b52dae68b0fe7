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
import type { Filter, Match } from '../filter/compile.ts';
import type { LineListener, Read, SkipOld } from '../jail/ports.ts';
import { FileReader } from './file-reader.ts';
import { decodeLine } from './line-splitter.ts';
import type { FilePosition, PositionStore } from './ports.ts';
import { FilterGroups, type Matched, readRun } from './read-filters.ts';
import { seekByDate } from './seek-by-date.ts';

type Listener = LineListener;

/** How often positions reach the store at most. */
export const SAVE_INTERVAL_MS = 1_000;
/** A renamed-away file sends no events of its own; it is read this often until it goes quiet. */
const RETIRING_POLL_MS = 200;

interface Tracked {
  readonly reader: FileReader;
  /** Each subscriber, with the filter its lines go through first (FollowOptions.filter). */
  readonly listeners: Map<Listener, Filter | undefined>;
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
  readonly #groups = new Map<string, FilterGroups>();
  readonly #o: ReaderPoolOptions;
  #paused: boolean;
  #cancelSave: (() => void) | undefined;
  #lastFilterError = Number.NEGATIVE_INFINITY;

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
    how: { initial: boolean; head: boolean; skipOld?: SkipOld | undefined; filter?: Filter | undefined },
  ): Promise<void> {
    const tracked = this.#files.get(path);
    if (tracked) {
      tracked.listeners.set(onLine, how.filter);
      wantFrom(tracked, how);
      return;
    }
    const { clock, log, positions } = this.#o;
    const listeners = new Map<Listener, Filter | undefined>([[onLine, how.filter]]);
    const stored = positions?.filePosition(path);
    let t: Tracked | undefined;
    const reader = new FileReader({
      path,
      stored,
      start: () => (how.initial && !t?.head ? 'tail' : 'head'),
      headOffset: how.initial ? (file, size) => headOffset(t!, file, size) : undefined,
      emit: (text) => this.#one(path, listeners, text),
      emitRun: (buf, from, to, maxLine) => this.#run(path, listeners, { buf, from, to, maxLine }),
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
    this.#groups.delete(path);
    await this.#retire(path, t);
  }

  /** Closes every reader and saves where each stopped. */
  async close(): Promise<void> {
    const all = [...this.#files];
    this.#files.clear();
    this.#groups.clear();
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

  /**
   * One line: to every subscriber when one of them has no filter; else through each filter, the
   * line going to the subscribers of the filters that matched it, with the match (as #run).
   */
  #one(path: string, listeners: ReadonlyMap<Listener, Filter | undefined>, text: string): void {
    const now = this.#o.clock.now();
    const read: Read = {};
    const line: Line = { text, source: path, time: now };
    const filters = new Set(listeners.values());
    if (filters.has(undefined)) {
      for (const l of listeners.keys()) this.#deliver(l, line, undefined, read);
      return;
    }
    const matches = new Map<Filter, Match | undefined>();
    for (const f of filters as Set<Filter>) {
      try {
        matches.set(f, f.match(text, now));
      } catch (err) {
        this.#filterFailed(path, err);
      }
    }
    for (const [l, f] of listeners) {
      const match = matches.get(f!);
      if (match) this.#deliver(l, line, match, read);
    }
  }

  /**
   * A run of complete lines (LineSplitter.push): through each subscriber's filter, filters that
   * read dates alike together (read-filters.ts), each line a filter matched going at once to that
   * filter's subscribers, with the match. So each subscriber gets its filter's lines in order;
   * lines of different filters may come interleaved otherwise (a multi-line filter's lines come
   * when its next literal line is read). Each jail counts its own failures from its own lines.
   * A subscriber without a filter gets every line, as emit() gives it. A line no filter matched
   * has nothing for a subscriber to do (Jail.handle returns at once), so it is not made into a Line.
   */
  #run(
    path: string,
    listeners: ReadonlyMap<Listener, Filter | undefined>,
    run: { buf: Buffer; from: number; to: number; maxLine: number },
  ): number {
    const { buf } = run;
    const now = this.#o.clock.now();
    const read: Read = {};
    const filters = new Set(listeners.values());
    if (filters.has(undefined)) return this.#lineByLine(path, listeners, run, now, read);
    // A line the filters match one after another (a group's members) is made into a Line once.
    let last: Line | undefined;
    let lastStart = -1;
    const lineAt = (start: number, next: number, text: string | undefined): Line => {
      if (start !== lastStart || !last) {
        last = { text: text ?? decodeLine(buf, start, next - 1), source: path, time: now };
        lastStart = start;
      }
      return last;
    };
    // Each filter's subscribers, in the order they subscribed.
    const subscribers = new Map<Filter, Listener[]>();
    for (const [l, f] of listeners) {
      const list = subscribers.get(f!);
      if (list) list.push(l);
      else subscribers.set(f!, [l]);
    }
    const deliverTo = (f: Filter): Matched => {
      const to = subscribers.get(f)!;
      return (start, next, match, text) => {
        const line = lineAt(start, next, text);
        for (const l of to) this.#deliver(l, line, match, read);
      };
    };
    const failed = (err: unknown) => this.#filterFailed(path, err);
    if (subscribers.size === 1) {
      const [f] = subscribers.keys();
      return readRun(f!, run, now, deliverTo(f!), failed);
    }
    return this.#groupsOf(path).read([...subscribers.keys()], run, now, deliverTo, failed);
  }

  /** The group lanes of a file's filters (read-filters.ts), kept while it is followed. */
  #groupsOf(path: string): FilterGroups {
    let groups = this.#groups.get(path);
    if (!groups) {
      groups = new FilterGroups();
      this.#groups.set(path, groups);
    }
    return groups;
  }

  /**
   * A run when some subscriber takes every line: what the splitter's emit does, line by line
   * (each subscriber with a filter then runs it itself, Jail.handle).
   */
  #lineByLine(
    path: string,
    listeners: ReadonlyMap<Listener, Filter | undefined>,
    run: { buf: Buffer; from: number; to: number; maxLine: number },
    now: number,
    read: Read,
  ): number {
    const { buf, from, to, maxLine } = run;
    let dropped = 0;
    for (let pos = from; pos < to; ) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl - pos > maxLine) dropped++;
      else {
        const line: Line = { text: decodeLine(buf, pos, nl), source: path, time: now };
        for (const l of listeners.keys()) this.#deliver(l, line, undefined, read);
      }
      pos = nl + 1;
    }
    return dropped;
  }

  /** A filter threw: a bug, logged (at most once a second), never the read's end. */
  #filterFailed(path: string, err: unknown): void {
    const now = this.#o.clock.now();
    if (now - this.#lastFilterError < 1000) return;
    this.#lastFilterError = now;
    this.#o.log.error({ err, path }, 'A filter failed on a log line; the line was skipped.');
  }

  // One failing subscriber must not starve the others or abort the read mid-chunk.
  #deliver(listener: Listener, line: Line, match: Match | undefined, read: Read): void {
    try {
      listener(line, match, read);
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
