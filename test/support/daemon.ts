// Runs the built banhammerd as a child process (optionally inside a network namespace) and
// talks to it through the built banctl, the way an operator would.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './config-dir.ts';

const DAEMON = join(REPO, 'bin', 'banhammerd.js');
const BANCTL = join(REPO, 'bin', 'banctl.js');

export interface BanctlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function banctl(socket: string, args: readonly string[]): Promise<BanctlResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BANCTL, '-s', socket, ...args], (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

export interface RunningDaemon {
  readonly process: ChildProcess;
  readonly socket: string;
  output(): string;
  /** SIGTERM, then waits for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts banhammerd on `configDir`; resolves once its socket answers `ping`. */
export async function startDaemon(opts: {
  configDir: string;
  socket: string;
  netns?: string;
  extraArgs?: readonly string[];
}): Promise<RunningDaemon> {
  const argv = [process.execPath, DAEMON, '-c', opts.configDir, '-s', opts.socket, ...(opts.extraArgs ?? [])];
  const full = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...argv] : argv;
  const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b));
  child.stderr!.on('data', (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`banhammerd exited ${child.exitCode}:\n${out}`);
    if ((await banctl(opts.socket, ['ping'])).code === 0) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`banhammerd did not answer on ${opts.socket}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    process: child,
    socket: opts.socket,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `check` every 50 ms until it returns true or `ms` pass. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
