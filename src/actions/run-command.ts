// Runs one command through /bin/sh, as fail2ban does, in its own process group so a timeout can end
// everything it started. Output is captured up to a cap. The exit status is returned, not judged:
// actions treat non-zero as failure, `ignorecommand` reads 0 and 1 as answers.

import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface RunOptions {
  /** After this long the process group gets SIGTERM, then SIGKILL after `killGraceMs`. */
  readonly timeoutMs: number;
  /** Default 2000. */
  readonly killGraceMs?: number;
  /** Bytes kept per stream (default 64 KiB); the rest is counted, not kept. */
  readonly maxOutputBytes?: number;
}

export interface CommandResult {
  /** Exit status; null when the shell was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

// Background jobs (`cmd &`) may keep the pipes open after the shell exits; wait this long for
// them to close, then stop reading rather than hang until the job ends.
const DRAIN_MS = 50;

/** Runs `command` with `/bin/sh -c`; rejects only when the shell cannot be started. */
export async function runCommand(command: string, options: RunOptions): Promise<CommandResult> {
  const { timeoutMs, killGraceMs = 2000, maxOutputBytes = 64 * 1024 } = options;
  const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = capture(child.stdout, maxOutputBytes);
  const stderr = capture(child.stderr, maxOutputBytes);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve([code, signal]));
  });

  let reaping: Promise<void> | undefined;
  const timer = setTimeout(() => {
    if (child.pid !== undefined) reaping = reap(child.pid, killGraceMs);
  }, timeoutMs);
  let status: [number | null, NodeJS.Signals | null];
  try {
    status = await exited;
  } finally {
    clearTimeout(timer);
  }
  if (reaping) await reaping;
  await Promise.race([closed, sleep(DRAIN_MS)]);
  child.stdout.destroy();
  child.stderr.destroy();
  return {
    code: status[0],
    signal: status[1],
    timedOut: reaping !== undefined,
    stdout: stdout(),
    stderr: stderr(),
  };
}

// SIGTERM the group, give it `graceMs` to go, then SIGKILL whatever is left.
async function reap(pgid: number, graceMs: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (signalGroup(pgid, 0) && Date.now() < deadline) await sleep(20);
  signalGroup(pgid, 'SIGKILL');
}

/** Sends `signal` to the group; false when no process of it is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function capture(stream: Readable, max: number): () => string {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  stream.on('data', (chunk: Buffer) => {
    const keep = Math.min(Math.max(0, max - kept), chunk.length);
    if (keep > 0) chunks.push(chunk.subarray(0, keep));
    kept += keep;
    dropped += chunk.length - keep;
  });
  return () => {
    const text = Buffer.concat(chunks).toString('utf8');
    return dropped > 0 ? `${text}… [${dropped} more bytes]` : text;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
