// The writer thread's side (ban-writer.ts starts it): its own connection to the state file,
// writing the batches of bans it is sent, then answering with each batch's number and the error
// when it failed, and bumping the shared count of batches answered, so the daemon's thread can
// wait for it. Nothing else writes while a batch is out: the daemon's thread waits for every
// answer before any other read or write of the file.
//
// Batches that arrived while the last transaction ran are written together, in one transaction:
// a storm from addresses all over the address space changes most pages of the address index in
// every batch, and each commit copies each page it changed into the WAL, so a thread that fell
// behind catches up in fewer, larger commits (in process, 100,000 bans from random addresses:
// ~1.2 s in batches of 900, ~1.0 s in batches of 2,700). Merged batches succeed or fail together.

import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
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

/**
 * This connection's page cache, in KiB: the daemon's own connection keeps SQLite's 2 MiB (db.ts),
 * but a storm's inserts into the address index touch far more pages than that, each of which
 * would be read back from the file at its next change. The thread runs only for storms.
 * (Checkpoints stay at SQLite's default, every 1,000 WAL pages: fewer would fold more pages into
 * the file at once, on whichever connection commits next, the daemon's thread's included.)
 */
const CACHE_KIB = 16 * 1024;

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
db.pragma(`cache_size = -${CACHE_KIB}`);
const rows = new BanRowWriter(db);
const write = db.transaction((batches: readonly BanRowBatch[]) => {
  for (const batch of batches) rows.write(batch);
});

/** Writes the batches in one transaction and answers each; false once asked to close. */
function writeAll(requests: readonly WriterRequest[]): boolean {
  const batches: { seq: number; batch: BanRowBatch }[] = [];
  let close = false;
  for (const r of requests) {
    if ('close' in r) close = true;
    else batches.push(r);
  }
  if (batches.length > 0) {
    let error: string | undefined;
    try {
      write(batches.map((b) => b.batch));
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    for (const { seq } of batches) answer(error === undefined ? { seq } : { seq, error });
  }
  return !close;
}

port.on('message', (request: WriterRequest) => {
  const requests = [request];
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port))
    requests.push(m.message as WriterRequest);
  if (writeAll(requests)) return;
  db.close();
  port.close();
});
answer({ ready: true });
