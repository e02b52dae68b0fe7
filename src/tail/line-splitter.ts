// Cuts a byte stream into lines. Bytes are kept as bytes until a newline so a multi-byte
// character split across reads decodes intact; invalid UTF-8 becomes U+FFFD, never an error.
// A line longer than `maxLine` bytes is dropped whole (counted), so no input grows memory
// without bound. A chunk of ASCII bytes (the usual log) decodes as Latin-1, which reads ASCII as
// UTF-8 does at half the cost; each line is its own string, so a kept line never pins the chunk.

import { isAscii } from 'node:buffer';
import { endBeforeCr } from '../core/line-end.ts';

/** The longest line delivered, in bytes without its newline. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Takes a run of complete lines, buf[from, to) (`to` just past a newline), in place of emitting
 * them one by one; returns how many it dropped for their length (over the splitter's maxLine).
 * It must read them as the splitter would: decodeLine() each, in order.
 */
export type RunHandler = (buf: Buffer, from: number, to: number, maxLine: number) => number;

/** The line buf[start, nl) as the splitter emits it: UTF-8 (ASCII reads alike), without its "\r". */
export function decodeLine(buf: Buffer, start: number, nl: number): string {
  return buf.toString('utf8', start, endBeforeCr(buf, start, nl));
}

export class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #discarding = false;
  /** Lines dropped for being longer than the limit. */
  dropped = 0;

  constructor(private readonly maxLine = MAX_LINE_BYTES) {}

  /** Bytes of an incomplete line held back until its newline arrives. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Feeds bytes; calls `emit` for every complete line, without its \n or \r\n. With `run`, the
   * complete lines after the one that ends a held-back part go to it as one run instead.
   */
  push(chunk: Buffer, emit: (line: string) => void, run?: RunHandler): void {
    let start = 0;
    const ascii = isAscii(chunk);
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      if (run && this.#pending.length === 0 && !this.#discarding) {
        const last = chunk.lastIndexOf(0x0a);
        this.dropped += run(chunk, start, last + 1, this.maxLine);
        start = last + 1;
        break;
      }
      if (this.#discarding) {
        this.#discarding = false;
      } else if (this.#pendingBytes + (nl - start) > this.maxLine) {
        this.dropped++;
      } else if (run && this.#pending.length > 0) {
        // The line a read cut in two, joined, goes to `run` as a run of one line: a reader with
        // fifty filters reads it in their one pass rather than through each filter in turn.
        const line = Buffer.concat([...this.#pending, chunk.subarray(start, nl + 1)]);
        this.dropped += run(line, 0, line.length, this.maxLine);
      } else if (ascii && this.#pending.length === 0) {
        emit(chunk.toString('latin1', start, endBeforeCr(chunk, start, nl)));
      } else {
        emit(this.#decode(chunk.subarray(start, nl)));
      }
      if (this.#pending.length > 0) this.#pending = [];
      this.#pendingBytes = 0;
      start = nl + 1;
    }
    if (start >= chunk.length || this.#discarding) return;
    const rest = chunk.subarray(start);
    if (this.#pendingBytes + rest.length > this.maxLine) {
      this.dropped++;
      this.#discarding = true;
      this.#pending = [];
      this.#pendingBytes = 0;
      return;
    }
    // Copy: the caller reuses its read buffer.
    this.#pending.push(Buffer.from(rest));
    this.#pendingBytes += rest.length;
  }

  /** Forgets a partial line (the file was truncated or replaced). */
  reset(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#discarding = false;
  }

  #decode(part: Buffer): string {
    const bytes = this.#pending.length === 0 ? part : Buffer.concat([...this.#pending, part]);
    return bytes.toString('utf8', 0, endBeforeCr(bytes, 0, bytes.length));
  }
}
