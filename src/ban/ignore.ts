// Who is never banned: the jail's ignoreip networks and, with ignoreself, the machine's own
// addresses (fail2ban's defaults keep an operator from locking themselves out), and the
// addresses ignoreip's host names resolve to.

import type { Address, Network } from '../core/address.ts';

const NONE: readonly Address[] = [];

/**
 * Whether `address` is in one of the networks or one of the address lists. Indexed loops and no
 * rest parameter: this runs for every failure, and a ban storm's iterators and argument arrays
 * were 30 MiB of garbage per 100,000 addresses (bench/figures/ban-throughput.mjs).
 */
export function isIgnored(
  address: Address,
  networks: readonly Network[],
  addresses: readonly Address[] = NONE,
  more: readonly Address[] = NONE,
): boolean {
  for (let i = 0; i < networks.length; i++) if (networks[i]!.contains(address)) return true;
  return listed(address, addresses) || listed(address, more);
}

function listed(address: Address, list: readonly Address[]): boolean {
  for (let i = 0; i < list.length; i++) if (list[i]!.text === address.text) return true;
  return false;
}
