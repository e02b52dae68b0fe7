// One open log file as a reader sees it: who it is, how far it was read, and where the last
// complete line ended. Only that last offset is ever persisted: bytes after it belong to a line
// not delivered yet. Reads go through the caller's buffer (one per reader, not per file).

import { type BigIntStats, fstatSync, readSync, statSync } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { firstLineHash, firstLineHashSync, HASH_SPAN, identify } from './fingerprint.ts';
import { LineSplitter, type RunHandler } from './line-splitter.ts';
import type { FilePosition } from './ports.ts';

/** Where a file's lines go: one by one to `line`, or in runs to `run` when given (LineSplitter.push). */
export interface LineSink {
  readonly line: (text: string) => void;
  readonly run?: RunHandler | undefined;
  /**
   * Two larger read buffers, for the rest of a drain whose first read filled `buf`: the next
   * part is read into one while the lines of the other are handled.
   */
  readonly big?: (() => readonly [Buffer, Buffer]) | undefined;
}

/** What a reader's pass starts from: look() or lookSync(). */
export interface Looks {
  /** What is at the path now (another file after a rotation); undefined when nothing is. */
  readonly atPath: BigIntStats | undefined;
  /** This file's size and first-line hash. */
  readonly size: number;
  readonly hash: string;
  /** Bytes read into the caller's buffer from `offset`, for drain(). */
  readonly ahead: number;
}

export class OpenFile {
  /** Bytes read so far. */
  offset = 0;
  /** Just past the last newline read: the lines before it were delivered. */
  delivered = 0;
  /** Size at the last look; a change prompts a first-line check. */
  size: number;
  /** For a renamed-away file still being drained: when it last grew. */
  grewAt = 0;
  readonly splitter = new LineSplitter();

  private constructor(
    readonly path: string,
    readonly handle: FileHandle,
    readonly dev: string,
    readonly ino: string,
    public hash: string,
    size: number,
  ) {
    this.size = size;
  }

  /** Opens `path` for reading from its start; undefined when it cannot be opened. */
  static async open(path: string): Promise<OpenFile | undefined> {
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const id = await identify(handle);
      return new OpenFile(path, handle, id.dev, id.ino, id.hash, id.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Reads from `offset`, which must start a line; a partial line held so far is forgotten. */
  seek(offset: number): void {
    this.offset = offset;
    this.delivered = offset;
    this.splitter.reset();
  }

  /** Where delivery stands, for the store; none while the first line is unknown. */
  position(): FilePosition | undefined {
    if (this.hash === '' && this.delivered > 0) return undefined;
    return { dev: this.dev, ino: this.ino, hash: this.hash, offset: this.delivered };
  }

  /** The first-line hash as the file is now. */
  hashNow(size: number): Promise<string> {
    return firstLineHash(this.handle, size);
  }

  /**
   * Everything a pass needs first, read at once: four trips to libuv's thread pool, one after
   * the other, were a third of the ban latency (bench/figures/ban-latency.mjs).
   */
  async look(buf: Buffer): Promise<Looks> {
    const [atPath, size, hash, ahead] = await Promise.all([
      stat(this.path, { bigint: true }).catch(() => undefined),
      this.sizeNow(),
      this.hashNow(HASH_SPAN),
      this.handle.read(buf, 0, buf.length, this.offset),
    ]);
    return { atPath, size, hash, ahead: ahead.bytesRead };
  }

  /**
   * look() without the thread pool: four system calls on what the page cache holds (the bytes a
   * write just put there), where the trip through the pool and back took 0.2-0.5 ms; the median
   * ban latency went from 2.0 to 1.7 ms. Only for files on a local disk: on a network filesystem
   * a call could block the event loop. The rest of a large append is read through the pool.
   */
  lookSync(buf: Buffer): Looks {
    let atPath: BigIntStats | undefined;
    try {
      atPath = statSync(this.path, { bigint: true });
    } catch {
      atPath = undefined;
    }
    const fd = this.handle.fd;
    const size = Number(fstatSync(fd, { bigint: true }).size);
    const hash = firstLineHashSync(fd);
    return { atPath, size, hash, ahead: readSync(fd, buf, 0, buf.length, this.offset) };
  }

  /** Current size, from the open handle (the path may name another file by now). */
  async sizeNow(): Promise<number> {
    return Number((await this.handle.stat({ bigint: true })).size);
  }

  /**
   * Reads to the end, handing each complete line to `emit` (or runs of them to `sink.run`, see
   * LineSplitter.push); returns how many bytes it read. `ahead`: the bytes look() left in `buf`,
   * taken first instead of reading them again.
   */
  async drain(buf: Buffer, sink: LineSink | ((line: string) => void), ahead?: number): Promise<number> {
    const {
      line: emit,
      run,
      big,
    } = typeof sink === 'function' ? { line: sink, run: undefined, big: undefined } : sink;
    const from = this.offset;
    let pair: readonly [Buffer, Buffer] | undefined;
    /** The read of the next part, into the buffer of the pair not being handled. */
    let next: Promise<{ bytesRead: number }> | undefined;
    try {
      for (;;) {
        const bytesRead =
          ahead ?? (await (next ?? this.handle.read(buf, 0, buf.length, this.offset))).bytesRead;
        ahead = undefined;
        next = undefined;
        if (bytesRead === 0) return this.offset - from;
        const chunk = buf.subarray(0, bytesRead);
        const start = this.offset;
        this.offset += bytesRead;
        // A read that filled the buffer: more is waiting (a backlog, a burst). The rest comes in
        // larger reads when the sink lends a pair of buffers, each read issued before the lines
        // of the one before are handled. A read waits for a thread of libuv's pool: issued only
        // after the lines, a ban storm's 115 reads kept the event loop ~110 ms without work, of
        // a 1.5 s storm; ahead, the storm took 46 ms less (bench/figures/ban-throughput.mjs,
        // median of ten alternating pairs).
        if (bytesRead === buf.length && big) {
          pair ??= big();
          buf = buf === pair[0] ? pair[1] : pair[0];
          next = this.handle.read(buf, 0, buf.length, this.offset);
        }
        this.splitter.push(chunk, emit, run);
        const nl = chunk.lastIndexOf(0x0a);
        if (nl >= 0) this.delivered = start + nl + 1;
      }
    } finally {
      // Handling threw with a read out: it must not land in a buffer the next drain reads into.
      await next?.catch(() => undefined);
    }
  }

  /** Just past the last newline in the file's last `buf.length` bytes (its end if none). */
  async lastLineEnd(buf: Buffer): Promise<number> {
    const from = Math.max(0, this.size - buf.length);
    const { bytesRead } = await this.handle.read(buf, 0, this.size - from, from);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl >= 0) return from + nl + 1;
    return from === 0 ? 0 : this.size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
