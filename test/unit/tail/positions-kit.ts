// A PositionStore in memory for tail tests: what was saved, and how many times.

import type { FilePosition, PositionStore } from '../../../src/tail/ports.ts';

export class MemoryPositions implements PositionStore {
  readonly files = new Map<string, FilePosition>();
  readonly cursors = new Map<string, string>();
  /** Every saveFilePositions batch, in order. */
  readonly batches: Map<string, FilePosition>[] = [];

  filePosition(path: string): FilePosition | undefined {
    return this.files.get(path);
  }
  saveFilePositions(batch: ReadonlyMap<string, FilePosition>): void {
    this.batches.push(new Map(batch));
    for (const [k, v] of batch) this.files.set(k, v);
  }
  journalCursor(name: string): string | undefined {
    return this.cursors.get(name);
  }
  saveJournalCursor(name: string, cursor: string): void {
    this.cursors.set(name, cursor);
  }
}
