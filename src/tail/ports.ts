// What the log sources need from the outside: somewhere to keep how far they read, so a restart
// resumes where the last run stopped. Declared here, by the sources; store/ implements it.

/** A followed file: who it is (device, inode, first line) and how far its lines were delivered. */
export interface FilePosition {
  /** st_dev and st_ino as decimal text: both are unsigned 64-bit numbers. */
  readonly dev: string;
  readonly ino: string;
  /** Hash of the first line (see fingerprint.ts); empty while the file has no complete line. */
  readonly hash: string;
  /** Byte offset just past the last line handed to subscribers. */
  readonly offset: number;
}

export interface PositionStore {
  filePosition(path: string): FilePosition | undefined;
  /** Writes a batch in one transaction, after any failures queued before it. */
  saveFilePositions(batch: ReadonlyMap<string, FilePosition>): void;
  journalCursor(name: string): string | undefined;
  saveJournalCursor(name: string, cursor: string): void;
}
