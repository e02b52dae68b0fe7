// The command table: one handler per file, looked up by name.

import type { Daemon } from '../daemon.ts';
import type { Response } from '../protocol.ts';
import { ban } from './ban.ts';
import { reload } from './reload.ts';
import type { Args } from './reply.ts';
import { status } from './status.ts';
import { unban } from './unban.ts';

export type Command = (daemon: Daemon, args: Args) => Promise<Response>;

const ping: Command = async () => ({ ok: true, result: 'pong' });

export const commands = { ping, status, ban, unban, reload } satisfies Record<string, Command>;
