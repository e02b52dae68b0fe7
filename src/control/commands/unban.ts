import type { Daemon } from '../daemon.ts';
import type { Response } from '../protocol.ts';
import { type Args, fromResult, missing } from './reply.ts';

/** `unban JAIL IP`: lifts the ban now. */
export async function unban(daemon: Daemon, args: Args): Promise<Response> {
  if (args.jail === undefined) return missing('jail');
  if (args.ip === undefined) return missing('ip');
  return fromResult(await daemon.unban(args.jail, args.ip));
}
