// Asks fail2ban's ignorecommand (the command itself: src/ignore-command.ts) before a ban whether it
// vouches for the address. A command that fails vouches for nobody (the ban goes ahead), logged.

import type { Logger } from 'pino';
import type { Address } from '../core/address.ts';

/** True when `ignoreCommand` says to leave `address` alone. */
export async function vouches(
  ignoreCommand: (address: Address) => Promise<boolean>,
  address: Address,
  log: Logger,
): Promise<boolean> {
  const ignore = await ignoreCommand(address).catch((err: unknown) => {
    log.error({ err, ip: address.text }, 'ignorecommand failed; banning as usual.');
    return false;
  });
  if (ignore) log.info({ ip: address.text }, 'Ignored by ignorecommand.');
  return ignore;
}
