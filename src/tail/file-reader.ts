// Reads one log file incrementally from a byte offset. Detects truncation (size < offset) and
// replacement (the path now names another inode: logrotate's rename + create), draining the old
// file to its end before switching, so the lines written just before a rotation are not lost.

import { type FileHandle, open, stat } from 'node:fs/promises';
import { LineSplitter } from './line-splitter.ts';

const CHUNK = 64 * 1024;

export class FileReader {
  #handle: FileHandle | undefined;
  #ino = -1;
  #offset = 0;
  #busy: Promise<void> | undefined;
  #again = false;
  readonly #splitter = new LineSplitter();
  readonly #buf = Buffer.allocUnsafe(CHUNK);

  constructor(
    readonly path: string,
    private readonly emit: (line: string) => void,
  ) {}

  /** Opens the file; `fromEnd` skips what is already in it (a file present at start-up). */
  async open(fromEnd: boolean): Promise<void> {
    const handle = await open(this.path, 'r');
    const st = await handle.stat();
    this.#handle = handle;
    this.#ino = st.ino;
    this.#offset = fromEnd ? st.size : 0;
  }

  /** Reads whatever was appended; concurrent calls coalesce into one more pass. */
  poke(): Promise<void> {
    if (this.#busy) {
      this.#again = true;
      return this.#busy;
    }
    this.#busy = this.#run().finally(() => {
      this.#busy = undefined;
    });
    return this.#busy;
  }

  async close(): Promise<void> {
    await this.#busy;
    await this.#handle?.close();
    this.#handle = undefined;
  }

  get droppedLines(): number {
    return this.#splitter.dropped;
  }

  async #run(): Promise<void> {
    do {
      this.#again = false;
      await this.#pass();
    } while (this.#again);
  }

  async #pass(): Promise<void> {
    if (!this.#handle) {
      await this.open(false).catch(() => undefined);
      if (!this.#handle) return;
    }
    const current = await stat(this.path).catch(() => undefined);
    const own = await this.#handle.stat();
    if (own.size < this.#offset) {
      // copytruncate or `> file`: start over from the top.
      this.#offset = 0;
      this.#splitter.reset();
    }
    await this.#drain();
    if (current && current.ino !== this.#ino) {
      await this.#handle.close();
      this.#handle = undefined;
      this.#splitter.reset();
      await this.open(false).catch(() => undefined);
      if (this.#handle) await this.#drain();
    }
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
