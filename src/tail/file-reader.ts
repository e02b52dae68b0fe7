// Reads one log file incrementally from a byte offset. Detects truncation (size < offset) and
// replacement (the path now names another inode: logrotate's rename + create), draining the old
// file to its end before switching, so the lines written just before a rotation are not lost.
// Every open and read runs inside one serial pass loop, so the file is never opened twice.

import { type FileHandle, open, stat } from 'node:fs/promises';
import { LineSplitter } from './line-splitter.ts';

const CHUNK = 64 * 1024;

export class FileReader {
  #handle: FileHandle | undefined;
  #ino = -1;
  #offset = 0;
  #busy: Promise<void> | undefined;
  #again = false;
  #closed = false;
  /** Only the first open skips existing content: a file that appears later is read whole. */
  #skipExisting: boolean;
  readonly #splitter = new LineSplitter();
  readonly #buf = Buffer.allocUnsafe(CHUNK);

  /** `fromEnd` skips what is already in the file (a file present at start-up). */
  constructor(
    readonly path: string,
    private readonly emit: (line: string) => void,
    fromEnd: boolean,
  ) {
    this.#skipExisting = fromEnd;
  }

  /** Whether the file is open; false until the first pass, or while the path does not exist. */
  get isOpen(): boolean {
    return this.#handle !== undefined;
  }

  get droppedLines(): number {
    return this.#splitter.dropped;
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

  async close(): Promise<void> {
    this.#closed = true;
    await this.#busy?.catch(() => undefined);
    await this.#handle?.close();
    this.#handle = undefined;
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
    if (!this.#handle && !(await this.#open())) return;
    const current = await stat(this.path).catch(() => undefined);
    const own = await this.#handle!.stat();
    if (own.size < this.#offset) {
      // copytruncate or `> file`: start over from the top.
      this.#offset = 0;
      this.#splitter.reset();
    }
    await this.#drain();
    if (current && current.ino !== this.#ino) {
      await this.#handle!.close();
      this.#handle = undefined;
      this.#splitter.reset();
      if (await this.#open()) await this.#drain();
    }
  }

  async #open(): Promise<boolean> {
    const fromEnd = this.#skipExisting;
    this.#skipExisting = false;
    const handle = await open(this.path, 'r').catch(() => undefined);
    if (!handle) return false;
    try {
      const st = await handle.stat();
      this.#ino = st.ino;
      this.#offset = fromEnd ? st.size : 0;
    } catch (err) {
      await handle.close();
      throw err;
    }
    this.#handle = handle;
    return true;
  }

  async #drain(): Promise<void> {
    const handle = this.#handle!;
    for (;;) {
      const { bytesRead } = await handle.read(this.#buf, 0, CHUNK, this.#offset);
      if (bytesRead === 0) return;
      this.#offset += bytesRead;
      this.#splitter.push(this.#buf.subarray(0, bytesRead), this.emit);
    }
  }
}
