// Who is never banned: the jail's ignoreip networks and, with ignoreself, the machine's own
// addresses (fail2ban's defaults keep an operator from locking themselves out), and the
// addresses ignoreip's host names resolve to.

import type { Address, Network } from '../core/address.ts';

export function isIgnored(
  address: Address,
  networks: readonly Network[],
  ...addressLists: readonly (readonly Address[])[]
): boolean {
  for (const n of networks) if (n.contains(address)) return true;
  for (const list of addressLists) for (const a of list) if (a.text === address.text) return true;
  return false;
}
