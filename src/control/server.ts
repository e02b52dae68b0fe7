// The control socket: a Unix stream socket, mode 0600 (root only, like fail2ban's), speaking
// NDJSON. Requests on one connection are answered in order. A malformed or oversized request
// gets an error response; it never throws into the daemon.

import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { type Command, commands } from './commands/index.ts';
import type { Args } from './commands/reply.ts';
import type { Daemon } from './daemon.ts';
import { encode, MAX_REQUEST_BYTES, type Response } from './protocol.ts';

function parseRequest(text: string): { name: string; args: Args } | Response {
  let req: unknown;
  try {
    req = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'EPROTO', message: 'request is not JSON' } };
  }
  if (typeof req !== 'object' || req === null)
    return { ok: false, error: { code: 'EPROTO', message: 'request is not an object' } };
  const { cmd, jail, ip } = req as Record<string, unknown>;
  if (typeof cmd !== 'string' || !Object.hasOwn(commands, cmd)) {
    return { ok: false, error: { code: 'EUNKNOWN', message: `unknown command "${String(cmd)}"` } };
  }
  for (const [k, v] of Object.entries({ jail, ip })) {
    if (v !== undefined && typeof v !== 'string')
      return { ok: false, error: { code: 'EPROTO', message: `"${k}" must be a string` } };
  }
  return { name: cmd, args: { jail: jail as string | undefined, ip: ip as string | undefined } };
}

export class ControlServer {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(
    private readonly path: string,
    private readonly daemon: Daemon,
    private readonly log: Logger,
  ) {}

  async listen(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o755 });
    // A stale socket from a killed daemon would make listen() fail with EADDRINUSE.
    rmSync(this.path, { force: true });
    const server = createServer((socket) => this.#serve(socket));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.path, () => ok());
    });
    chmodSync(this.path, 0o600);
    this.#server = server;
    this.log.info({ socket: this.path }, 'Control socket listening.');
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    // net.Server#close waits for every connection to end; an idle client must not hold up shutdown.
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(this.path, { force: true });
  }

  #serve(socket: Socket): void {
    let buffered = '';
    let chain = Promise.resolve();
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    let refused = false;
    // Answers already queued go out first; then the refusal, and the connection ends.
    const refuse = () => {
      buffered = '';
      refused = true;
      chain = chain.then(() => {
        socket.end(encode({ ok: false, error: { code: 'E2BIG', message: 'request too large' } }));
      });
    };
    socket.on('data', (chunk: string) => {
      if (refused) return;
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (Buffer.byteLength(text) > MAX_REQUEST_BYTES) return refuse();
        chain = chain.then(() => this.#answer(text)).then((res) => void socket.write(encode(res)));
        nl = buffered.indexOf('\n');
      }
      if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) refuse();
    });
  }

  async #answer(text: string): Promise<Response> {
    const parsed = parseRequest(text);
    if ('ok' in parsed) return parsed;
    const command: Command = commands[parsed.name as keyof typeof commands];
    try {
      return await command(this.daemon, parsed.args);
    } catch (err) {
      this.log.error({ err, cmd: parsed.name }, 'Control command failed.');
      return { ok: false, error: { code: 'EINTERNAL', message: (err as Error).message } };
    }
  }
}
