// The LogSource port for `backend = systemd`: one `journalctl --follow --output=json` child per
// jail, with the filter's journalmatch. Each entry becomes a line (journal-line.ts) carrying the
// entry's own time. The cursor of the last entry delivered is saved at most once a second and on
// close; the next start continues right after it (`--after-cursor`), the first start from now.
// journalctl ending on its own is logged and restarted after a back-off, from the last cursor.

import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { LogBackend } from '../config/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Line } from '../core/types.ts';
import type { LogSource, Subscription } from '../jail/ports.ts';
import { journalLine } from './journal-line.ts';
import { LineSplitter } from './line-splitter.ts';
import type { PositionStore } from './ports.ts';
import { SAVE_INTERVAL_MS } from './reader-pool.ts';

type Listener = (line: Line) => void;
type SystemdBackend = Extract<LogBackend, { kind: 'systemd' }>;

const SD_JOURNAL_SYSTEM = 4;
const SD_JOURNAL_CURRENT_USER = 8;
/** A JSON entry longer than this is skipped (journald's own default line limit is 48 KiB). */
const MAX_ENTRY = 4 * 1024 * 1024;
const RESTART_MS = [1_000, 5_000, 30_000];

/**
 * journalmatch as fail2ban reads it: each line a group of shell-quoted words, `+` between
 * alternatives; lines are alternatives too.
 */
export function splitJournalMatch(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)/g)].map(
      (m) => m[1]?.replace(/\\(.)/g, '$1') ?? m[2] ?? m[3]!.replace(/\\(.)/g, '$1'),
    );
    if (words.length === 0) continue;
    if (out.length > 0) out.push('+');
    out.push(...words);
  }
  return out;
}

/** journalctl's arguments: where the journal is, where to start, and the matches. */
export function journalctlArgs(
  backend: SystemdBackend,
  matches: string,
  cursor: string | undefined,
): string[] {
  // --merge: --follow alone keeps to the latest boot (systemd 252), which would skip what was
  // logged after the cursor before a reboot and fails on an empty journal.
  const args = ['--follow', '--merge', '--output=json', '--all', '--no-pager', '--quiet'];
  // --follow alone shows only the last 10 entries before following: all of them after a cursor.
  args.push(...(cursor ? [`--after-cursor=${cursor}`, '--lines=all'] : ['--lines=0']));
  if (backend.journalpath) args.push(`--directory=${backend.journalpath}`);
  for (const f of backend.journalfiles ?? []) args.push(`--file=${f}`);
  if (backend.namespace) args.push(`--namespace=${backend.namespace}`);
  // fail2ban opens the system journal only unless told where the journal is or given flags.
  const explicit = backend.journalpath !== undefined || backend.journalfiles !== undefined;
  const flags = backend.journalflags ?? (explicit ? 0 : SD_JOURNAL_SYSTEM);
  if (flags & SD_JOURNAL_SYSTEM) args.push('--system');
  if (flags & SD_JOURNAL_CURRENT_USER) args.push('--user');
  args.push(...splitJournalMatch(matches));
  return args;
}

export interface JournalSourceOptions {
  /** The key the cursor is saved under: the jail's name. */
  readonly name: string;
  readonly backend: SystemdBackend;
  /** The filter's journalmatch; empty: every entry. */
  readonly matches: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly positions?: PositionStore | undefined;
  /** Spawn nothing until resume(). */
  readonly paused?: boolean;
  /** The program, and arguments put before journalctlArgs(); tests point it elsewhere. */
  readonly command?: readonly string[];
}

export class JournalSource implements LogSource {
  readonly #o: JournalSourceOptions;
  readonly #listeners = new Set<Listener>();
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #cursor: string | undefined;
  #savedCursor: string | undefined;
  #cancelSave: (() => void) | undefined;
  #cancelRestart: (() => void) | undefined;
  #failures = 0;
  #paused: boolean;
  #closed = false;

  constructor(options: JournalSourceOptions) {
    this.#o = options;
    this.#paused = options.paused ?? false;
    this.#cursor = options.positions?.journalCursor(options.name);
    this.#savedCursor = this.#cursor;
  }

  async follow(_paths: readonly string[], onLine: Listener): Promise<Subscription> {
    this.#listeners.add(onLine);
    if (!this.#paused) this.#start();
    return {
      files: () => [],
      close: async () => {
        this.#listeners.delete(onLine);
        if (this.#listeners.size === 0) await this.#stop();
      },
    };
  }

  async resume(): Promise<void> {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#listeners.size > 0) this.#start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#stop();
  }

  #start(): void {
    if (this.#child || this.#closed) return;
    const { command = ['journalctl'], backend, matches, log } = this.#o;
    const args = [...command.slice(1), ...journalctlArgs(backend, matches, this.#cursor)];
    const usedCursor = this.#cursor;
    const child = spawn(command[0]!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    log.info({ matches, cursor: usedCursor !== undefined }, 'Following the journal.');
    const splitter = new LineSplitter(MAX_ENTRY);
    child.stdout!.on('data', (chunk: Buffer) => splitter.push(chunk, (json) => this.#entry(json)));
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-2_000);
    });
    this.#exited = new Promise<void>((done) => {
      child.on('error', (err) => {
        log.error({ err }, 'Could not run journalctl.');
      });
      child.on('close', (code, signal) => {
        this.#child = undefined;
        done();
        if (this.#closed || this.#listeners.size === 0) return;
        if (usedCursor !== undefined && usedCursor === this.#cursor && /cursor/i.test(stderr)) {
          log.warn({ stderr: stderr.trim() }, 'The saved journal cursor was refused; following from now.');
          this.#cursor = undefined;
        }
        const wait = RESTART_MS[Math.min(this.#failures++, RESTART_MS.length - 1)]!;
        log.error({ code, signal, stderr: stderr.trim(), retryMs: wait }, 'journalctl ended; restarting it.');
        this.#cancelRestart = this.#o.clock.setTimer(wait, () => {
          this.#cancelRestart = undefined;
          this.#start();
        });
      });
    });
  }

  async #stop(): Promise<void> {
    this.#cancelRestart?.();
    this.#cancelRestart = undefined;
    const child = this.#child;
    if (child) {
      child.kill('SIGTERM');
      await this.#exited;
    }
    // Written even when unchanged: the fresh timestamp keeps dbpurgeage from forgetting it.
    this.#save(true);
  }

  #entry(json: string): void {
    let line: ReturnType<typeof journalLine>;
    try {
      line = journalLine(JSON.parse(json) as Record<string, unknown>);
    } catch (err) {
      this.#o.log.warn({ err }, 'Unreadable journal entry skipped.');
      return;
    }
    if (!line) return;
    this.#failures = 0;
    const out: Line = { text: line.text, source: 'journal', time: line.time, timeKnown: true };
    for (const l of this.#listeners) {
      try {
        l(out);
      } catch (err) {
        this.#o.log.error({ err, source: 'journal' }, 'Log line subscriber failed.');
      }
    }
    this.#cursor = line.cursor;
    if (this.#o.positions && !this.#cancelSave) {
      this.#cancelSave = this.#o.clock.setTimer(SAVE_INTERVAL_MS, () => this.#save(false));
    }
  }

  #save(always: boolean): void {
    this.#cancelSave?.();
    this.#cancelSave = undefined;
    const cursor = this.#cursor;
    if (!this.#o.positions || cursor === undefined || (!always && cursor === this.#savedCursor)) return;
    try {
      this.#o.positions.saveJournalCursor(this.#o.name, cursor);
      this.#savedCursor = cursor;
    } catch (err) {
      this.#o.log.error({ err }, 'Could not save the journal cursor.');
    }
  }
}
