// Runs the nft command-line tool: one `nft -f -` per script (one kernel transaction), and
// `nft -j list …` for read-back. Spawned without a shell; the script travels on stdin.
// The argv prefix is injectable so tests can run nft inside a network namespace.
// Trade-off: a process per commit costs a few milliseconds; the façade's per-tick coalescing
// keeps that to one process per tick. nft-native.ts is the in-process runner; this one is its
// fallback when the addon is not built (nft-runner.ts chooses).

import { spawn } from 'node:child_process';
import { NftError } from '../core/errors.ts';
import { nftErrorCode } from './nft-errno.ts';

/** What the firewall façade needs from nft; the CLI implements it, tests wrap or fake it. */
export interface NftRunner {
  /** Commits `script` as one transaction; rejects with NftError when nft refuses any of it. */
  run(script: string, op: string): Promise<void>;
  /** Runs `nft -j <args>` and returns the parsed JSON document. */
  listJson(args: readonly string[], op: string): Promise<unknown>;
}

export interface NftCliOptions {
  /** The command that invokes nft, e.g. `['ip', 'netns', 'exec', 'ns1', 'nft']`. */
  readonly argv?: readonly string[];
}

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
}

export class NftCli implements NftRunner {
  readonly #argv: readonly string[];

  constructor(options: NftCliOptions = {}) {
    const argv = options.argv ?? ['nft'];
    if (argv.length === 0) throw new TypeError('Expected argv to name a command');
    this.#argv = argv;
  }

  async run(script: string, op: string): Promise<void> {
    await this.#spawn(['-f', '-'], script, op);
  }

  /** nft's version line, e.g. `nftables v1.0.6 (Lester Gooch #5)`; rejects when nft cannot run. */
  async version(): Promise<string> {
    const { stdout } = await this.#spawn(['--version'], '', 'version');
    return stdout.trim();
  }

  async listJson(args: readonly string[], op: string): Promise<unknown> {
    const { stdout } = await this.#spawn(['-j', ...args], '', op);
    try {
      return JSON.parse(stdout);
    } catch (err) {
      throw new NftError(`nft printed invalid JSON: ${(err as Error).message}`, 'EJSON', op);
    }
  }

  #spawn(args: readonly string[], input: string, op: string): Promise<Outcome> {
    const [command, ...prefix] = this.#argv as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...prefix, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      // nft may exit before reading all of stdin (a parse error); the exit code reports that,
      // so EPIPE on our side of the pipe is expected noise, not a second failure.
      child.stdin.on('error', () => {});
      child.on('error', (e: NodeJS.ErrnoException) => {
        reject(new NftError(`Cannot run ${command}: ${e.message}`, e.code ?? 'ENFT', op));
      });
      child.on('close', (code, signal) => {
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (code === 0) {
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr });
          return;
        }
        const why = stderr || `${command} exited with ${signal ?? `code ${code}`}`;
        reject(new NftError(why, nftErrorCode(stderr), op));
      });
      child.stdin.end(input);
    });
  }
}
