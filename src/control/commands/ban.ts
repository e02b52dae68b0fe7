import type { Daemon } from '../daemon.ts';
import type { Response } from '../protocol.ts';
import { type Args, fromResult, missing } from './reply.ts';

/** `ban JAIL IP`: bans with the jail's bantime. */
export async function ban(daemon: Daemon, args: Args): Promise<Response> {
  if (args.jail === undefined) return missing('jail');
  if (args.ip === undefined) return missing('ip');
  return fromResult(await daemon.ban(args.jail, args.ip));
}
