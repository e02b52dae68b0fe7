// fail2ban's ignorecommand: asked before a ban whether to leave the address alone. The command
// runs through /bin/sh like an action's, with <ip> inserted as a literal word; exit 0 means
// "ignore", exit 1 "ban"; anything else is an error (the jail logs it and bans).

import { render } from './actions/render.ts';
import { runCommand } from './actions/run-command.ts';
import type { ActionEvent } from './ban/ports.ts';
import type { JailConfig } from './config/types.ts';
import type { Address } from './core/address.ts';
import type { Clock } from './core/clock.ts';

/** fail2ban's ignorecommand: `<ip>` rendered as a literal word; exit 0 = ignore, 1 = do not. */
export function ignoreCommandOf(
  config: JailConfig,
  clock: Clock,
): ((address: Address) => Promise<boolean>) | undefined {
  if (!config.ignorecommand) return undefined;
  return async (address) => {
    const now = clock.now();
    const event: ActionEvent = {
      jail: config.name,
      address,
      failures: 0,
      fields: {},
      time: now,
      bantimeMs: config.bantimeMs,
      banCount: 0,
      matches: [],
      ipMatches: () => [],
      ipJailMatches: () => [],
      restored: false,
    };
    const result = await runCommand(
      render(config.ignorecommand, { values: { name: config.name }, event, now }),
      {
        timeoutMs: 30_000,
      },
    );
    if (result.code === 0) return true;
    if (result.code === 1) return false;
    throw new Error(
      `ignorecommand exited ${result.code ?? result.signal}: ${result.stderr.trim().slice(0, 200)}`,
    );
  };
}
