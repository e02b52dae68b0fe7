// The Firewall port on nftables: validates every name and address, coalesces the ban and
// unban orders of one tick (what one log read, timer or request issued, with its microtasks)
// into one `nft -f -` transaction, and runs all kernel work one step at a time in issue order,
// so a jail change never overtakes orders issued before it.
// A restore's chunk (banMany) is one entry of that batch with one promise, however many orders.
// Trade-off: a failed batch is retried order by order (one process each), which is slow for a
// big batch but only happens when something is already wrong, and spares the good orders.

import type { Logger } from 'pino';
import type { JailFirewallSpec, KernelElement } from '../ban/ports.ts';
import { type Address, parseAddress } from '../core/address.ts';
import type { Clock } from '../core/clock.ts';
import { NftError } from '../core/errors.ts';
import type { BanOrder, UnbanOrder } from '../core/types.ts';
import type { JailFirewall, Refusal } from '../jail/ports.ts';
import type { NftRunner } from './nft-cli.ts';
import { ruleHandles, setElements } from './nft-json.ts';
import {
  CHAIN,
  checkName,
  DEFAULT_TABLE,
  type ElementOp,
  renderAddJail,
  renderDeleteTable,
  renderElements,
  renderRemoveJail,
  ruleComment,
  setName,
  timeoutSeconds,
} from './nft-script.ts';

export interface NftFirewallOptions {
  readonly runner: NftRunner;
  readonly clock: Clock;
  readonly log: Logger;
  /** The inet table this firewall owns; `banhammer` unless set. */
  readonly table?: string;
}

/** An element change waiting for the tick's commit; its time left is computed when it renders. */
type Queued =
  | { readonly kind: 'ban'; readonly expiresAt: number | null; readonly absent: boolean }
  | { readonly kind: 'unban' };
interface Item {
  readonly jail: string;
  readonly address: Address;
  readonly order: Queued;
}
/** One call's items, and how it learns the outcome: the indexes of the items refused, and why. */
interface Pending {
  readonly items: readonly Item[];
  readonly settle: (refused: readonly (readonly [index: number, err: unknown])[]) => void;
}

const NONE: readonly never[] = [];

export class NftFirewall implements JailFirewall {
  readonly #runner: NftRunner;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #table: string;
  #pending: Pending[] = [];
  #scheduled = false;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: NftFirewallOptions) {
    this.#runner = options.runner;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#table = checkName('table', options.table ?? DEFAULT_TABLE);
  }

  async addJail(spec: JailFirewallSpec): Promise<void> {
    // Render once up front so a bad name or rule rejects before any kernel work.
    renderAddJail(this.#table, spec.jail, spec.rules, []);
    await this.#serially(async () => {
      const handles = (await this.#jailRuleHandles(spec.jail, 'addJail')) ?? [];
      await this.#runner.run(renderAddJail(this.#table, spec.jail, spec.rules, handles), 'addJail');
      this.#log.info({ jail: spec.jail, rules: spec.rules.length, replaced: handles.length }, 'Added jail.');
    });
  }

  async removeJail(jail: string): Promise<void> {
    checkName('jail', jail);
    await this.#serially(async () => {
      const handles = await this.#jailRuleHandles(jail, 'removeJail');
      if (handles === undefined) return; // no table: nothing of ours to remove
      await this.#runner.run(renderRemoveJail(this.#table, jail, handles), 'removeJail');
      this.#log.info({ jail, rules: handles.length }, 'Removed jail.');
    });
  }

  ban(order: BanOrder): Promise<void> {
    return this.#enqueue(order.jail, order.address.text, {
      kind: 'ban',
      expiresAt: order.expiresAt,
      absent: false,
    });
  }

  unban(order: UnbanOrder): Promise<void> {
    return this.#enqueue(order.jail, order.address.text, { kind: 'unban' });
  }

  /** Bans in one entry of the tick's batch; an element `absent` picks is a plain `add element`. */
  banMany(orders: readonly BanOrder[], absent: (order: BanOrder) => boolean): Promise<Refusal[]> {
    const refused: Refusal[] = [];
    const items: Item[] = [];
    const queued: BanOrder[] = [];
    for (const order of orders) {
      try {
        const address = this.#checked(order.jail, order.address.text);
        const ban = { kind: 'ban', expiresAt: order.expiresAt, absent: absent(order) } as const;
        items.push({ jail: order.jail, address, order: ban });
        queued.push(order);
      } catch (err) {
        refused.push({ order, err });
      }
    }
    if (items.length === 0) return Promise.resolve(refused);
    return new Promise((resolve) => {
      this.#push({
        items,
        settle: (failed) => {
          for (const [i, err] of failed) refused.push({ order: queued[i]!, err });
          resolve(refused);
        },
      });
    });
  }

  async list(jail: string): Promise<KernelElement[]> {
    checkName('jail', jail);
    return this.#serially(async () => {
      const sets = await Promise.all([4, 6].map((f) => this.#listSet(setName(jail, f as 4 | 6))));
      return sets.flat();
    });
  }

  async close(): Promise<void> {
    await this.#serially(async () => {
      await this.#runner.run(renderDeleteTable(this.#table), 'close');
      this.#log.info({ table: this.#table }, 'Deleted table.');
    });
  }

  // Synchronous up to the push, so every order issued in one tick lands in the same batch. A bad
  // name or address rejects (never throws), as it did when the callers were async functions.
  #enqueue(jail: string, text: string, order: Queued): Promise<void> {
    let address: Address;
    try {
      address = this.#checked(jail, text);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.#push({
        items: [{ jail, address, order }],
        settle: (refused) => (refused.length === 0 ? resolve() : reject(refused[0]![1])),
      });
    });
  }

  /** The address of `text`, which goes into a script; throws a TypeError on a bad jail or text. */
  #checked(jail: string, text: string): Address {
    checkName('jail', jail);
    // Re-parse: the Address type is a promise about the text.
    const address = parseAddress(text);
    if (address === undefined || address.text !== text) {
      throw new TypeError(`Expected a canonical IP address, got ${JSON.stringify(text)}`);
    }
    return address;
  }

  #push(pending: Pending): void {
    this.#pending.push(pending);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A microtask, not setImmediate: the orders of one tick are all issued by then (the jails'
    // state-file commits are microtasks queued earlier), and the commit goes ahead of whatever
    // else waits for the loop's check phase, such as the log's write (0.1 ms of ban latency).
    queueMicrotask(() => this.#flush());
  }

  // Every non-order operation flushes first, so kernel work happens in the order it was asked.
  #serially<T>(work: () => Promise<T>): Promise<T> {
    this.#flush();
    const done = this.#tail.then(work);
    this.#tail = done.catch(() => {});
    return done;
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    // #commit settles every order itself; the catch only keeps the chain alive if it throws.
    this.#tail = this.#tail
      .then(() => this.#commit(batch))
      .catch((err: unknown) => {
        for (const p of batch) p.settle(p.items.map((_, i) => [i, err] as const));
      });
  }

  async #commit(batch: readonly Pending[]): Promise<void> {
    const started = this.#clock.now();
    const items = batch.length === 1 ? batch[0]!.items : batch.flatMap((p) => p.items);
    try {
      await this.#runner.run(this.#render(items), 'apply');
      for (const p of batch) p.settle(NONE);
      this.#log.debug({ orders: items.length, ms: this.#clock.now() - started }, 'Committed batch.');
      return;
    } catch (err) {
      if (items.length === 1) {
        batch[0]!.settle([[0, err]]);
        return;
      }
      this.#log.warn({ err, orders: items.length }, 'Batch failed; retrying its orders one by one.');
    }
    for (const p of batch) {
      const refused: [number, unknown][] = [];
      for (const [i, item] of p.items.entries()) {
        try {
          await this.#runner.run(this.#render([item]), 'apply');
        } catch (err) {
          this.#log.error({ err, jail: item.jail, address: item.address.text }, 'Firewall refused an order.');
          refused.push([i, err]);
        }
      }
      p.settle(refused);
    }
  }

  // Rendered at commit time so the timeout is the time left now, not when the order queued.
  #render(items: readonly Item[]): string {
    const now = this.#clock.now();
    const ops = items.map(({ jail, address, order }): ElementOp => {
      if (order.kind === 'unban') return { kind: 'unban', jail, address };
      const timeoutS = timeoutSeconds(order.expiresAt, now);
      return { kind: order.absent ? 'add' : 'ban', jail, address, timeoutS };
    });
    return renderElements(this.#table, ops);
  }

  /** Handles of the jail's rules; undefined when our table or chain does not exist. */
  async #jailRuleHandles(jail: string, op: string): Promise<number[] | undefined> {
    const doc = await this.#absentAsUndefined(['list', 'chain', 'inet', this.#table, CHAIN], op);
    if (doc === undefined) return undefined;
    return ruleHandles(doc, ruleComment(jail));
  }

  async #listSet(set: string): Promise<KernelElement[]> {
    const doc = await this.#absentAsUndefined(['list', 'set', 'inet', this.#table, set], 'list');
    return doc === undefined ? [] : setElements(doc);
  }

  async #absentAsUndefined(args: readonly string[], op: string): Promise<unknown> {
    try {
      return await this.#runner.listJson(args, op);
    } catch (err) {
      if (err instanceof NftError && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }
}
