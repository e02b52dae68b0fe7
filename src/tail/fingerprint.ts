// Who a log file is: device, inode and a hash of its first line. The inode alone is not enough
// (a deleted file's inode is soon reused, and copytruncate keeps it while replacing the content);
// the first line alone is not either (some logs open with a fixed header). Together they tell a
// resumed file from a rotated one, as fail2ban's first-line MD5 does.

import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FilePosition } from './ports.ts';

/** A first line longer than this is known by its first HASH_SPAN bytes. */
export const HASH_SPAN = 8 * 1024;

export interface Identity {
  readonly dev: string;
  readonly ino: string;
  readonly hash: string;
}

/** Hash of the file's first line (its newline included); '' while that line is incomplete. */
export async function firstLineHash(handle: FileHandle, size: number): Promise<string> {
  if (size === 0) return '';
  const buf = Buffer.allocUnsafe(Math.min(size, HASH_SPAN));
  const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
  return hashFirstLine(buf.subarray(0, bytesRead));
}

/** firstLineHash(), synchronously, from the file's descriptor. */
export function firstLineHashSync(fd: number): string {
  const buf = Buffer.allocUnsafe(HASH_SPAN);
  return hashFirstLine(buf.subarray(0, readSync(fd, buf, 0, HASH_SPAN, 0)));
}

/** The hash of the first line of `start`, the file's first bytes (up to HASH_SPAN). */
function hashFirstLine(start: Buffer): string {
  const nl = start.indexOf(0x0a);
  if (nl < 0 && start.length < HASH_SPAN) return '';
  return createHash('sha256')
    .update(nl < 0 ? start : start.subarray(0, nl + 1))
    .digest('hex');
}

/** The identity and size of an open file. */
export async function identify(handle: FileHandle): Promise<Identity & { size: number }> {
  const st = await handle.stat({ bigint: true });
  const size = Number(st.size);
  return { dev: String(st.dev), ino: String(st.ino), size, hash: await firstLineHash(handle, size) };
}

export const sameFile = (a: Identity, b: Identity): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.hash === b.hash;

// logrotate's compress output; such files cannot be read on from an offset.
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzo|Z|zip)$/;

/** Where the rest of a file rotated away from `path` can still be read. */
export interface Predecessor {
  readonly path: string;
  /** renamed: the same inode under another name, perhaps still written; copy: copytruncate's copy. */
  readonly kind: 'renamed' | 'copy';
}

/**
 * Looks beside `path` (`path.1`, `path-20240101`, ...) for the file `known` described: the
 * same inode and first line (renamed), else a file with the same first line, at least as long
 * (copied before a truncation; the newest such copy). `exclude` is the inode now at `path`,
 * never a predecessor.
 */
export async function findPredecessor(
  path: string,
  known: FilePosition,
  exclude?: { dev: string; ino: string },
): Promise<Predecessor | undefined> {
  const dir = dirname(path);
  const base = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  let copy: { path: string; mtime: bigint } | undefined;
  for (const name of names) {
    if (name === base || !name.startsWith(base) || COMPRESSED.test(name)) continue;
    const candidate = join(dir, name);
    const st = await stat(candidate, { bigint: true }).catch(() => undefined);
    if (!st?.isFile() || Number(st.size) < known.offset) continue;
    const dev = String(st.dev);
    const ino = String(st.ino);
    if (exclude && dev === exclude.dev && ino === exclude.ino) continue;
    const sameInode = dev === known.dev && ino === known.ino;
    // No first line was known (the file held no complete line): the inode must do.
    if (known.hash === '') {
      if (sameInode) return { path: candidate, kind: 'renamed' };
      continue;
    }
    const hash = await hashOf(candidate, Number(st.size));
    if (hash !== known.hash) continue;
    if (sameInode) return { path: candidate, kind: 'renamed' };
    if (!copy || st.mtimeNs > copy.mtime) copy = { path: candidate, mtime: st.mtimeNs };
  }
  return copy && { path: copy.path, kind: 'copy' };
}

async function hashOf(path: string, size: number): Promise<string | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    return await firstLineHash(handle, size);
  } finally {
    await handle.close();
  }
}
