// The writer thread, from the daemon's side: large batches of bans (a ban storm's ticks) are
// written to the state file by a thread of their own, so that the daemon's thread reads and
// judges the next lines meanwhile; a storm's state-file writes were a third of its time on the
// daemon's thread (bench/figures/ban-throughput.mjs). Batches are answered in order. Before any
// other use of the file the daemon's thread waits for every batch out (settle()), so nothing
// reads around a write or writes across one: the file sees the same statements in the same
// order as when this thread wrote them itself.
//
// Started at the first large batch, not at start-up: the thread and its connection cost a few
// MiB that a daemon never banning in bulk does not need. Until it has opened the file, batches
// are written on the daemon's thread.

import { existsSync } from 'node:fs';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { BanRowBatch } from './ban-rows.ts';
import type { WriterAnswer, WriterData, WriterRequest } from './writer-thread.ts';

// The built thread, from src/store/ (tests) and dist/store/ alike; while it is missing, every
// batch is written on the daemon's thread.
const THREAD = new URL('../../dist/store/writer-thread.js', import.meta.url);
/** Longest wait for the thread's answers before giving up on it (it answers every batch). */
const SETTLE_LIMIT_MS = 60_000;

const stopped = () => new Error('The state file writer thread stopped; its batches were not written.');

export class BanWriter {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #answered: Int32Array;
  /** Answer handlers of the batches out, by number. */
  readonly #out = new Map<number, (error: Error | undefined) => void>();
  #sent = 0;
  #ready = false;
  #failed = false;

  /** The thread for the state file at `path`, or undefined when it is not built. */
  static start(path: string): BanWriter | undefined {
    return existsSync(THREAD) ? new BanWriter(path) : undefined;
  }

  private constructor(path: string) {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const answered = new SharedArrayBuffer(4);
    this.#answered = new Int32Array(answered);
    const data: WriterData = { path, port: port2, answered };
    this.#worker = new Worker(THREAD, { workerData: data, transferList: [port2] });
    this.#worker.unref();
    this.#port.on('message', (m: WriterAnswer) => this.#take(m));
    this.#port.unref();
    // A thread that cannot open the file is not used; the daemon's thread writes instead.
    this.#worker.on('error', () => this.#fail());
    this.#worker.on('exit', () => this.#fail());
  }

  /** Whether batches can go to the thread: it has opened the file and has not failed. */
  get ready(): boolean {
    return this.#ready && !this.#failed;
  }

  /** Sends the batch; `then` runs once it has committed, or with the error when it failed. */
  write(batch: BanRowBatch, then: (error: Error | undefined) => void): void {
    if (this.#failed) {
      queueMicrotask(() => then(stopped()));
      return;
    }
    const seq = ++this.#sent;
    this.#out.set(seq, then);
    const request: WriterRequest = { seq, batch };
    this.#port.postMessage(request);
  }

  /** Waits for the answer to every batch out, and handles them, before returning. */
  settle(): void {
    if (this.#out.size === 0) return;
    const deadline = Date.now() + SETTLE_LIMIT_MS;
    for (;;) {
      const seen = Atomics.load(this.#answered, 0);
      if (seen >= this.#sent) break;
      const left = deadline - Date.now();
      if (left <= 0 || this.#failed) {
        this.#fail();
        break;
      }
      Atomics.wait(this.#answered, 0, seen, left);
    }
    for (let m = receiveMessageOnPort(this.#port); m; m = receiveMessageOnPort(this.#port))
      this.#take(m.message as WriterAnswer);
  }

  /** Settles, then lets the thread close its connection and end. */
  close(): void {
    this.settle();
    const request: WriterRequest = { close: true };
    if (!this.#failed) this.#port.postMessage(request);
  }

  #take(m: WriterAnswer): void {
    if ('ready' in m) {
      this.#ready = true;
      return;
    }
    const then = this.#out.get(m.seq);
    this.#out.delete(m.seq);
    then?.(m.error === undefined ? undefined : new Error(m.error));
  }

  /** The thread is gone or stopped answering: batches still out are reported failed. */
  #fail(): void {
    if (this.#failed && this.#out.size === 0) return;
    this.#failed = true;
    const error = stopped();
    const out = [...this.#out.values()];
    this.#out.clear();
    for (const then of out) then(error);
  }
}
