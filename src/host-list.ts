// Host names from ignoreip, resolved to addresses now and every few minutes after (a dynamic-DNS
// operator's address moves). A name that does not resolve keeps its last known addresses and is
// logged; resolution never blocks a line's way through the pipeline.

import { lookup } from 'node:dns/promises';
import type { Logger } from 'pino';
import { type Address, parseAddress } from './core/address.ts';

const REFRESH_MS = 5 * 60_000;

/** Every address `name` resolves to (what the system resolver says, /etc/hosts included). */
export async function resolveHost(name: string): Promise<Address[]> {
  const found = await lookup(name, { all: true });
  return found.map((f) => parseAddress(f.address)).filter((a): a is Address => a !== undefined);
}

export class HostList {
  #addresses: readonly Address[] = [];
  readonly #known = new Map<string, readonly Address[]>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hosts: readonly string[],
    private readonly log: Logger,
  ) {}

  /** Resolves every host once, then keeps refreshing in the background. */
  async start(): Promise<void> {
    if (this.hosts.length === 0) return;
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  addresses(): readonly Address[] {
    return this.#addresses;
  }

  async refresh(): Promise<void> {
    await Promise.all(
      this.hosts.map(async (host) => {
        try {
          this.#known.set(host, await resolveHost(host));
        } catch (err) {
          this.log.warn(
            { err, host },
            'Could not resolve an ignoreip host name; keeping its last addresses.',
          );
        }
      }),
    );
    this.#addresses = [...this.#known.values()].flat();
  }
}
