// The running jails, and what a reload does to them: a jail whose configuration is unchanged
// keeps running untouched; a changed one is stopped and started again with the new settings,
// its kernel set kept in between so no banned address slips through, its bans restored from the
// state file; a new one starts; a removed one stops and its bans leave the kernel. One reload at
// a time, in the order they were asked.

import type { Logger } from 'pino';
import type { ReloadReply } from './control/protocol.ts';
import type { Jail } from './jail/jail.ts';
import type { JailPlan } from './plan.ts';

/** Builds one jail from its plan; `dispose` releases what was built only for it. */
export type JailFactory = (plan: JailPlan) => Promise<{ jail: Jail; dispose(): void }>;

interface Running {
  readonly jail: Jail;
  readonly fingerprint: string;
  readonly dispose: () => void;
}

/** What decides whether a jail must restart: everything its plan says, as data. */
function fingerprint(plan: JailPlan): string {
  return JSON.stringify({ config: plan.config, increment: plan.increment });
}

export class JailRoster {
  #running = new Map<string, Running>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly make: JailFactory,
    /** Takes a removed jail's rules and set out of the kernel. */
    private readonly removeFromKernel: (jail: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** The running jails in configuration order. */
  get jails(): Jail[] {
    return [...this.#running.values()].map((r) => r.jail);
  }

  /** Starts every planned jail; one that fails is logged and left out, the others run. */
  start(plans: readonly JailPlan[]): Promise<ReloadReply> {
    return this.apply(plans);
  }

  /** Brings the running jails in line with `plans`. */
  apply(plans: readonly JailPlan[]): Promise<ReloadReply> {
    const next = this.#queue.then(() => this.#apply(plans));
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Stops every jail; their kernel state is the firewall's to remove. */
  stopAll(): Promise<void> {
    const next = this.#queue.then(async () => {
      for (const [name, r] of this.#running) await this.#stop(name, r);
      this.#running.clear();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  async #apply(plans: readonly JailPlan[]): Promise<ReloadReply> {
    const report = { started: [], restarted: [], stopped: [], kept: [], failed: [] } as {
      [K in keyof ReloadReply]: string[];
    };
    const wanted = new Set(plans.map((p) => p.config.name));
    for (const [name, r] of this.#running) {
      if (wanted.has(name)) continue;
      await this.#stop(name, r);
      this.#running.delete(name);
      await this.removeFromKernel(name).catch((err: unknown) =>
        this.log.error({ err, jail: name }, 'Could not remove the jail from nftables.'),
      );
      report.stopped.push(name);
      this.log.info({ jail: name }, 'Jail removed by reload.');
    }
    const next = new Map<string, Running>();
    for (const plan of plans) {
      const name = plan.config.name;
      const print = fingerprint(plan);
      const current = this.#running.get(name);
      if (current?.fingerprint === print) {
        next.set(name, current);
        report.kept.push(name);
        continue;
      }
      // Stopping keeps the jail's set in the kernel; the new instance re-adds its rules and bans.
      if (current) await this.#stop(name, current);
      const started = await this.#startOne(plan, print);
      if (started) {
        next.set(name, started);
        (current ? report.restarted : report.started).push(name);
      } else report.failed.push(name);
    }
    this.#running = next;
    return report;
  }

  async #startOne(plan: JailPlan, print: string): Promise<Running | undefined> {
    const name = plan.config.name;
    let built: Awaited<ReturnType<JailFactory>> | undefined;
    try {
      built = await this.make(plan);
      await built.jail.start();
      this.log.info({ jail: name }, 'Jail started.');
      return { jail: built.jail, fingerprint: print, dispose: built.dispose };
    } catch (err) {
      // One broken jail (say, its nft rule is refused) must not keep the others down.
      this.log.error({ err, jail: name }, 'Jail failed to start.');
      await built?.jail.stop().catch(() => {});
      built?.dispose();
      return undefined;
    }
  }

  async #stop(name: string, r: Running): Promise<void> {
    await r.jail.stop().catch((err: unknown) => this.log.error({ err, jail: name }, 'Jail failed to stop.'));
    r.dispose();
  }
}
