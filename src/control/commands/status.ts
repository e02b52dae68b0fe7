import type { Daemon } from '../daemon.ts';
import type { Response } from '../protocol.ts';
import { type Args, fromResult } from './reply.ts';

/** `status` lists the jails; `status JAIL` reports one. */
export async function status(daemon: Daemon, args: Args): Promise<Response> {
  if (args.jail === undefined) return { ok: true, result: daemon.status() };
  return fromResult(daemon.jailStatus(args.jail));
}
