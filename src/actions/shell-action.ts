// A custom fail2ban action (action.d/NAME.conf) run through /bin/sh. Commands of one action run one
// at a time, in call order, so an unban never overtakes its ban. Every failure rejects with an
// ActionError naming the jail, the action, the operation and the command; isolating one failing
// action from the others is the caller's job.

import type { Logger } from 'pino';
import type { ActionEvent, JailAction } from '../ban/ports.ts';
import type { ActionDefinition, ActionFileConfig } from '../config/action-file.ts';
import { render } from './render.ts';
import { type CommandResult, runCommand } from './run-command.ts';

type Operation = keyof ActionDefinition;

/** A command of an action that could not be rendered, failed, or timed out. */
export class ActionError extends Error {
  readonly code = 'EACTION';
  constructor(
    readonly jail: string,
    readonly action: string,
    readonly operation: Operation,
    /** The rendered command, or the template when rendering failed. */
    readonly command: string,
    readonly result?: CommandResult,
    options?: { cause?: unknown },
  ) {
    super(
      `${jail}: action ${action}: ${operation} ${describe(result, options?.cause)}: ${clip(command)}`,
      options,
    );
    this.name = 'ActionError';
  }
}

function describe(result: CommandResult | undefined, cause: unknown): string {
  if (result === undefined)
    return `could not run (${cause instanceof Error ? cause.message : String(cause)})`;
  const why = result.timedOut
    ? 'timed out'
    : result.code === null
      ? `killed by ${result.signal}`
      : `exited with ${result.code}`;
  const stderr = result.stderr.trim();
  return stderr === '' ? why : `${why} (stderr: ${clip(stderr)})`;
}

// Log lines make commands long; the error keeps the whole command in `.command`.
function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export interface ShellActionOptions {
  readonly jail: string;
  readonly config: ActionFileConfig;
  /** Milliseconds since the epoch, for `<time>` in start and stop commands. */
  readonly now?: () => number;
  /** Receives a warning when actioncheck fails and the action repairs itself. */
  readonly log?: Pick<Logger, 'warn'>;
}

export class ShellAction implements JailAction {
  readonly name: string;
  readonly norestored: boolean;
  readonly #jail: string;
  readonly #config: ActionFileConfig;
  readonly #now: () => number;
  readonly #log: Pick<Logger, 'warn'> | undefined;
  /** What this action banned and has not unbanned, by address text: unbanned one by one at stop. */
  readonly #banned = new Map<string, ActionEvent>();
  #started = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ShellActionOptions) {
    this.name = options.config.name;
    this.norestored = options.config.norestored;
    this.#jail = options.jail;
    this.#config = options.config;
    this.#now = options.now ?? Date.now;
    this.#log = options.log;
  }

  start(): Promise<void> {
    return this.#serial(async () => {
      await this.#run('actionstart');
      this.#started = true;
    });
  }

  /**
   * actionflush when defined (else actionunban per address still banned), then actionstop if start
   * succeeded. Every step is tried; the first failure (or an AggregateError) rejects afterwards.
   */
  stop(): Promise<void> {
    return this.#serial(async () => {
      const errors: unknown[] = [];
      const attempt = (op: Operation, event?: ActionEvent) =>
        this.#run(op, event).catch((e) => errors.push(e));
      // As fail2ban: nothing banned, nothing to flush.
      if (this.#banned.size > 0 && this.#config.definition.actionflush) await attempt('actionflush');
      else for (const event of this.#banned.values()) await attempt('actionunban', event);
      this.#banned.clear();
      if (this.#started) await attempt('actionstop');
      this.#started = false;
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) {
        throw new AggregateError(
          errors,
          `${this.#jail}: action ${this.name}: ${errors.length} commands failed at stop`,
        );
      }
    });
  }

  ban(event: ActionEvent): Promise<void> {
    return this.#serial(async () => {
      await this.#ensureSane(event);
      await this.#run('actionban', event);
      this.#banned.set(event.address.text, event);
    });
  }

  unban(event: ActionEvent): Promise<void> {
    return this.#serial(async () => {
      // Forgotten even if the command fails: the jail no longer counts it as banned either.
      this.#banned.delete(event.address.text);
      await this.#run('actionunban', event);
    });
  }

  // fail2ban's invariant check: a failing actioncheck gets actionrepair (or a stop and start), then
  // one more check; only a passing check lets the ban command run.
  async #ensureSane(event: ActionEvent): Promise<void> {
    if (!this.#config.definition.actioncheck) return;
    try {
      await this.#run('actioncheck', event);
      return;
    } catch (err) {
      const repair = this.#config.definition.actionrepair ? 'actionrepair' : 'actionstop + actionstart';
      this.#log?.warn(
        { jail: this.#jail, action: this.name, err, repair },
        'Action check failed; repairing.',
      );
    }
    if (this.#config.definition.actionrepair) {
      await this.#run('actionrepair', event);
    } else {
      await this.#run('actionstop');
      await this.#run('actionstart');
      this.#started = true;
    }
    await this.#run('actioncheck', event);
  }

  async #run(operation: Operation, event?: ActionEvent): Promise<void> {
    const template = this.#config.definition[operation];
    if (!template) return;
    let command: string;
    try {
      command = render(template, { values: this.#config.values, event, now: this.#now() });
    } catch (cause) {
      throw new ActionError(this.#jail, this.name, operation, template, undefined, { cause });
    }
    let result: CommandResult;
    try {
      result = await runCommand(command, { timeoutMs: this.#config.timeoutMs });
    } catch (cause) {
      throw new ActionError(this.#jail, this.name, operation, command, undefined, { cause });
    }
    if (result.timedOut || result.code !== 0) {
      throw new ActionError(this.#jail, this.name, operation, command, result);
    }
  }

  #serial(task: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(task);
    // A failure is reported to its caller only; the queue goes on.
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
