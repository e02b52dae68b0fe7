// What the bench creates and must remove: network namespaces, temp directories and the process
// groups it starts. Every daemon runs in its own process group inside a namespace made here, so
// cleanup() can end exactly what the bench started (by group id) and then delete the namespaces;
// the host's own ruleset is never touched. cleanup() is idempotent; run.mjs calls it on exit,
// SIGINT and SIGTERM.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const namespaces = new Set();
const dirs = new Set();
const groups = new Set();

/** A fresh network namespace with only `lo`, up; removed by cleanup(). */
export function makeNetns(name) {
  execFileSync('ip', ['netns', 'add', name]);
  namespaces.add(name);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Runs argv inside `ns` to completion; returns stdout (throws on failure). */
export function nsRun(ns, argv, input) {
  return execFileSync('ip', ['netns', 'exec', ns, ...argv], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Empties the namespace's nftables ruleset (between runs). */
export function flushRuleset(ns) {
  nsRun(ns, ['nft', 'flush', 'ruleset']);
}

export function tempDir(what) {
  const dir = mkdtempSync(join(tmpdir(), `bh-bench-${what}-`));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/**
 * Starts argv inside `ns` as the leader of a new process group, stdout and stderr appended to
 * `logFile` (else stdout ignored or piped with `stdout`, stderr inherited). `ip netns exec` execs
 * the command, so the child's pid is the command's own.
 */
export function startIn(ns, argv, { logFile, env = {}, stdout = false } = {}) {
  const fd = logFile ? openSync(logFile, 'a') : undefined;
  const startedAt = process.hrtime.bigint();
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
    detached: true,
    stdio: ['ignore', stdout ? 'pipe' : (fd ?? 'ignore'), fd ?? 'inherit'],
    env: { ...process.env, TZ: 'UTC', ...env },
  });
  if (fd !== undefined) closeSync(fd);
  child.startedAt = startedAt;
  groups.add(child.pid);
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  child.exited.then(() => groups.delete(child.pid));
  return child;
}

/** Signals the child's process group, waits up to `ms`, then kills the group. */
export async function stopGroup(child, signal = 'SIGTERM', ms = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exited;
  signalGroup(child.pid, signal);
  const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), ms);
  const result = await child.exited;
  clearTimeout(timer);
  // Stragglers of the group (a pipeline's other members) go too.
  signalGroup(child.pid, 'SIGKILL');
  return result;
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** Ends every group the bench started, deletes its namespaces and temp dirs. */
export function cleanup() {
  for (const pgid of groups) signalGroup(pgid, 'SIGTERM');
  if (groups.size > 0) execFileSync('sleep', ['1']);
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
  groups.clear();
  for (const ns of namespaces) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  namespaces.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
