// The writer thread's side (ban-writer.ts starts it): its own connection to the state file,
// writing each batch of bans it is sent in one transaction, then answering with the batch's
// number and the error when it failed, and bumping the shared count of batches answered, so the
// daemon's thread can wait for it. Nothing else writes while a batch is out: the daemon's thread
// waits for every answer before any other read or write of the file.

import { type MessagePort, workerData } from 'node:worker_threads';
import { type BanRowBatch, BanRowWriter } from './ban-rows.ts';
import { openDb } from './db.ts';

export interface WriterData {
  readonly path: string;
  readonly port: MessagePort;
  /** One Int32: how many batches have been answered. */
  readonly answered: SharedArrayBuffer;
}

export type WriterRequest = { readonly seq: number; readonly batch: BanRowBatch } | { readonly close: true };
export type WriterAnswer = { readonly seq: number; readonly error?: string } | { readonly ready: true };

const { path, port, answered } = workerData as WriterData;
const count = new Int32Array(answered);

function answer(message: WriterAnswer): void {
  port.postMessage(message);
  // After the post: whoever sees the count can receive the answer at once.
  if ('seq' in message) {
    Atomics.store(count, 0, message.seq);
    Atomics.notify(count, 0);
  }
}

const db = openDb(path);
const rows = new BanRowWriter(db);
const write = db.transaction((batch: BanRowBatch) => rows.write(batch));
port.on('message', (request: WriterRequest) => {
  if ('close' in request) {
    db.close();
    port.close();
    return;
  }
  try {
    write(request.batch);
    answer({ seq: request.seq });
  } catch (err) {
    answer({ seq: request.seq, error: err instanceof Error ? err.message : String(err) });
  }
});
answer({ ready: true });
