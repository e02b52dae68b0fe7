import type { Daemon } from '../daemon.ts';
import type { Response } from '../protocol.ts';
import { fromResult } from './reply.ts';

/** `reload`: re-reads the configuration; on errors the running jails stay as they are. */
export async function reload(daemon: Daemon): Promise<Response> {
  return fromResult(await daemon.reload());
}
