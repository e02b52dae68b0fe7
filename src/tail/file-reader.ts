// Reads one log path incrementally and knows where it stands: the current file's identity and
// the end of the last line delivered from it, which is what gets persisted. It resumes from a
// stored position when the identity matches; otherwise the file was rotated while nobody read it,
// and its predecessor (renamed, or copytruncate's copy) is read on from the stored offset first.
// While running it follows rename + create (the old inode is kept and read until it goes quiet:
// writers reopen only when told to) and truncation or in-place rewrite (copytruncate), taking from
// the copy what had not been read yet. Every open and read runs in one serial loop.

import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import { findPredecessor, sameFile } from './fingerprint.ts';
import type { RunHandler } from './line-splitter.ts';
import { type LineSink, OpenFile } from './open-file.ts';
import type { FilePosition } from './ports.ts';

const CHUNK = 64 * 1024;
// A backlog or a burst is read in reads of this size (OpenFile.drain), each a trip through libuv's
// thread pool: 1M lines in 64 KiB reads left the event loop waiting a tenth of the catch-up. Not
// larger: a read's lines are handled in one go, and what they make lives until the tick's commit
// (1 MiB made a ban storm's young-generation collections copy more: 2.55 s at 256 KiB, ~3 s).
// bench/figures/startup.mjs and ban-throughput.mjs.
const BIG_CHUNK = 256 * 1024;

export interface FileReaderOptions {
  readonly path: string;
  readonly emit: (line: string) => void;
  /** Takes runs of complete lines instead of `emit`, when given (LineSplitter.push). */
  readonly emitRun?: RunHandler;
  /**
   * Where to begin a file that has no stored position, asked once at the first open: `tail`
   * skips what it holds (from its last complete line), `head` reads it whole (from headOffset
   * when given). A file that appears after the first open is always read from its start.
   */
  readonly start: () => 'head' | 'tail';
  /**
   * Where a `head` start begins instead of the file's start: the first line that can still count
   * (seek-by-date.ts). Asked at the first open only; a file that appears later is read whole.
   */
  readonly headOffset?: ((file: FileHandle, size: number) => Promise<number>) | undefined;
  /** Where the previous run stopped, if it followed this path. */
  readonly stored?: FilePosition | undefined;
  /** How long a renamed-away file must stay unchanged before it is let go (default 5 s). */
  readonly retireAfterMs?: number;
  /** Each pass starts with OpenFile.lookSync(): for files on a local disk (inotify) only. */
  readonly syncLooks?: boolean;
  readonly now?: () => number;
  readonly log?: Logger;
}

export class FileReader {
  readonly path: string;
  readonly #o: FileReaderOptions;
  #cur: OpenFile | undefined;
  /** Files renamed away from `path`, read until quiet. */
  #retiring: OpenFile[] = [];
  #stored: FilePosition | undefined;
  #firstOpen = true;
  #busy: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** The position at close, still readable afterwards. */
  #final: FilePosition | undefined;
  #dropped = 0;
  readonly #buf = Buffer.allocUnsafe(CHUNK);
  readonly #now: () => number;
  readonly #sink: LineSink;
  /** Two buffers of BIG_CHUNK bytes, made at the first read that fills #buf. */
  #big: readonly [Buffer, Buffer] | undefined;

  constructor(options: FileReaderOptions) {
    this.#o = options;
    this.#sink = {
      line: options.emit,
      run: options.emitRun,
      big: () => {
        this.#big ??= [Buffer.allocUnsafe(BIG_CHUNK), Buffer.allocUnsafe(BIG_CHUNK)];
        return this.#big;
      },
    };
    this.path = options.path;
    this.#stored = options.stored;
    this.#now = options.now ?? Date.now;
  }

  /** Whether the file is open; false until the first pass, or while the path does not exist. */
  get isOpen(): boolean {
    return this.#cur !== undefined;
  }

  /** True while a renamed-away file is still read: it gets no change events of its own. */
  get retiring(): boolean {
    return this.#retiring.length > 0;
  }

  /** Lines dropped for their length, over every file this reader read. */
  get droppedLines(): number {
    return this.#dropped + (this.#cur?.splitter.dropped ?? 0);
  }

  /** The identity of the file at `path` and the end of the last line delivered from it. */
  position(): FilePosition | undefined {
    return this.#closed ? this.#final : this.#cur?.position();
  }

  /**
   * Opens the file if needed and reads whatever was appended. Calls made while a pass runs
   * coalesce into one more pass; the promise settles when the file has been read up to a point
   * after the call.
   */
  poke(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#again = true;
    this.#busy ??= this.#run();
    return this.#busy;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await this.#busy?.catch(() => undefined);
    this.#final = this.#cur?.position();
    for (const f of [...this.#retiring, ...(this.#cur ? [this.#cur] : [])]) await f.close();
    this.#retiring = [];
    this.#cur = undefined;
  }

  async #run(): Promise<void> {
    try {
      while (this.#again && !this.#closed) {
        this.#again = false;
        await this.#pass();
      }
    } finally {
      // Cleared in the same turn as the last `#again` check, so no poke falls between the two.
      this.#busy = undefined;
    }
  }

  async #pass(): Promise<void> {
    // Older lines first: what is left in renamed-away files, then the current file.
    await this.#readRetiring();
    const cur = this.#cur ?? (await this.#reopen());
    if (cur) await this.#follow(cur);
    // Again, for a file that has just been renamed away (and may be let go at once).
    await this.#readRetiring();
  }

  async #follow(cur: OpenFile): Promise<void> {
    // The first line is hashed on every pass, though only a pass that finds the size changed uses
    // it; what follows the offset is read ahead, and delivered only once size and first line show
    // the file was not rewritten.
    const { atPath, size, hash, ahead } = this.#o.syncLooks
      ? cur.lookSync(this.#buf)
      : await cur.look(this.#buf);
    // A rewritten file is read from its start: what was read ahead is then of no use.
    let fresh: number | undefined = ahead;
    if (size < cur.offset) {
      await this.#rewritten(cur, 'truncated');
      fresh = undefined;
    } else if (size !== cur.size || cur.hash === '') {
      if (cur.hash === '' || hash === cur.hash) cur.hash = hash;
      else {
        await this.#rewritten(cur, 'rewritten');
        fresh = undefined;
      }
    }
    cur.size = size;
    await cur.drain(this.#buf, this.#sink, fresh);
    if (cur.hash === '' && cur.delivered > 0) cur.hash = await cur.hashNow(cur.offset);
    if (atPath && (String(atPath.ino) !== cur.ino || String(atPath.dev) !== cur.dev)) {
      // Renamed away and replaced: the writer may go on writing the old inode until it reopens.
      cur.grewAt = this.#now();
      this.#retiring.push(cur);
      this.#cur = await OpenFile.open(this.path);
      this.#o.log?.info({ path: this.path }, 'Log file rotated; following the new file.');
      await this.#cur?.drain(this.#buf, this.#sink);
    }
  }

  /**
   * Opens `path` when no file is current. The first time: resume, recover what a rotation while
   * stopped left behind, or start fresh; later (the file was missing): from its start.
   */
  async #reopen(): Promise<OpenFile | undefined> {
    const stored = this.#stored;
    const first = this.#firstOpen;
    const fresh = first ? this.#o.start() : 'head';
    this.#stored = undefined;
    this.#firstOpen = false;
    const file = await OpenFile.open(this.path);
    if (!file) {
      if (stored) await this.#recoverPredecessor(stored, undefined);
      return undefined;
    }
    this.#cur = file;
    if (!stored) {
      if (fresh === 'tail') file.seek(await file.lastLineEnd(this.#buf));
      else if (first && this.#o.headOffset) await this.#skipOld(file, this.#o.headOffset);
    } else if (sameFile(file, stored) && file.size >= stored.offset) {
      file.seek(stored.offset);
      this.#o.log?.info(
        { path: this.path, offset: stored.offset },
        'Resuming log file where the last run stopped.',
      );
    } else {
      this.#o.log?.info(
        { path: this.path },
        'Log file was rotated while stopped; reading the new one whole.',
      );
      await this.#recoverPredecessor(stored, file);
    }
    return file;
  }

  async #skipOld(file: OpenFile, headOffset: NonNullable<FileReaderOptions['headOffset']>): Promise<void> {
    const offset = await headOffset(file.handle, file.size);
    if (offset === 0) return;
    file.seek(offset);
    this.#o.log?.info(
      { path: this.path, offset, size: file.size },
      'Skipping the start of the log file: its lines are too old to count.',
    );
  }

  /**
   * The file at `path` is no longer the one `stored` describes. Its predecessor, if it can be
   * found beside it, is read on from the stored offset: a renamed one joins the retiring files
   * (its writer may still be on it); a copy is read once.
   */
  async #recoverPredecessor(stored: FilePosition, now: OpenFile | undefined): Promise<void> {
    const pred = await findPredecessor(this.path, stored, now);
    const old = pred && (await OpenFile.open(pred.path));
    if (!pred || !old) return;
    old.seek(stored.offset);
    old.grewAt = this.#now();
    this.#o.log?.info(
      { path: this.path, from: pred.path, offset: stored.offset },
      'Reading the rest of a rotated log file.',
    );
    if (pred.kind === 'renamed') {
      this.#retiring.push(old);
      await old.drain(this.#buf, this.#sink);
    } else await this.#readOnce(old);
  }

  /**
   * copytruncate (or `> file`): the content was replaced in place. What was appended after the
   * last read but before the copy is in the copy; what was appended between copy and truncation
   * is gone for every reader.
   */
  async #rewritten(cur: OpenFile, how: 'truncated' | 'rewritten'): Promise<void> {
    const known = { dev: cur.dev, ino: cur.ino, hash: cur.hash, offset: cur.delivered };
    const pred = await findPredecessor(this.path, known, cur);
    const copy = pred?.kind === 'copy' ? await OpenFile.open(pred.path) : undefined;
    if (copy) {
      copy.seek(cur.delivered);
      await this.#readOnce(copy);
    }
    this.#o.log?.info(
      { path: this.path, how, copy: copy?.path, partialBytes: cur.splitter.pendingBytes },
      'Log file was truncated; reading it from its start.',
    );
    cur.seek(0);
    cur.hash = await cur.hashNow(await cur.sizeNow());
  }

  /** Reads a file that will not grow again to its end, then closes it. */
  async #readOnce(file: OpenFile): Promise<void> {
    try {
      await file.drain(this.#buf, this.#sink);
      this.#dropped += file.splitter.dropped;
    } finally {
      await file.close();
    }
  }

  async #readRetiring(): Promise<void> {
    if (this.#retiring.length === 0) return;
    const now = this.#now();
    const keep: OpenFile[] = [];
    for (const f of this.#retiring) {
      if ((await f.drain(this.#buf, this.#sink)) > 0) f.grewAt = now;
      if (now - f.grewAt < (this.#o.retireAfterMs ?? 5_000) && !this.#closed) keep.push(f);
      else {
        this.#dropped += f.splitter.dropped;
        await f.close();
      }
    }
    this.#retiring = keep;
  }
}
