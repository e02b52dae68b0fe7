// banctl: argv → one request over the control socket → printed reply → exit code.
// Exit codes: 0 ok, 1 the daemon refused (unknown jail, bad address), 64 usage,
// 69 the daemon is not reachable.

import { createConnection } from 'node:net';
import { parseArgs } from 'node:util';
import type { DaemonStatus, JailStatusReply, ReloadReply } from '../control/protocol.ts';
import { encode, type Request, type Response } from '../control/protocol.ts';
import { formatJailStatus, formatReload, formatStatus } from './format.ts';

const USAGE = `Usage: banctl [-s SOCKET] COMMAND
Commands:
  status             list the jails
  status JAIL        show a jail's failures and bans
  ban JAIL IP        ban IP in JAIL now
  unban JAIL IP      lift IP's ban in JAIL
  reload             re-read the configuration (a broken one is refused; the running jails stay)
  ping               check that banhammerd answers
  regex [--json] [-c DIR] [--now EPOCH] [--jobs N] LOG FILTER [IGNORE]
                     run FILTER (a filter.d name with [options], a file, or a regex)
                     over LOG (a file, or one line), as fail2ban-regex does
Options:
  -s, --socket PATH  control socket (default /run/banhammer/banhammer.sock)
  -c, --conf DIR     configuration directory for regex (default /etc/banhammer)
      --json         regex: one JSON object per failure, then a summary
      --now EPOCH    regex: read year-less dates against this time (or BANCTL_NOW)
  -j, --jobs N       regex: threads reading parts of a large LOG at once (default: the CPUs,
                     at most 4, for a LOG of 16 MiB or more; 1: one pass)
  -h, --help         show this help`;

function toRequest(words: string[]): Request | undefined {
  const [cmd, a, b, ...rest] = words;
  if (rest.length > 0) return undefined;
  if ((cmd === 'ping' || cmd === 'reload') && a === undefined) return { cmd };
  if (cmd === 'status' && b === undefined) return a === undefined ? { cmd } : { cmd, jail: a };
  if ((cmd === 'ban' || cmd === 'unban') && a !== undefined && b !== undefined)
    return { cmd, jail: a, ip: b };
  return undefined;
}

function send(socket: string, req: Request): Promise<Response> {
  return new Promise((ok, fail) => {
    const conn = createConnection(socket);
    let data = '';
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(encode(req)));
    conn.on('data', (chunk: string) => {
      data += chunk;
      const nl = data.indexOf('\n');
      if (nl < 0) return;
      conn.end();
      try {
        ok(JSON.parse(data.slice(0, nl)) as Response);
      } catch (err) {
        fail(err);
      }
    });
    conn.on('error', fail);
    conn.on('end', () => fail(new Error('connection closed without a reply')));
  });
}

function render(req: Request, result: unknown): string {
  switch (req.cmd) {
    case 'status':
      return req.jail === undefined
        ? formatStatus(result as DaemonStatus)
        : formatJailStatus(result as JailStatusReply);
    case 'ban':
      return result ? `${req.ip} banned in ${req.jail}` : `${req.ip} was already banned in ${req.jail}`;
    case 'unban':
      return result ? `${req.ip} unbanned from ${req.jail}` : `${req.ip} was not banned in ${req.jail}`;
    case 'ping':
      return 'Server replied: pong';
    case 'reload':
      return formatReload(result as ReloadReply);
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        socket: { type: 'string', short: 's' },
        conf: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        now: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`banctl: ${(err as Error).message}\n${USAGE}\n`);
    return 64;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.positionals[0] === 'regex')
    return regexCommand(
      parsed.positionals.slice(1),
      parsed.values as Record<string, string | boolean | undefined>,
    );
  const req = toRequest(parsed.positionals);
  if (!req) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const socket = (parsed.values.socket as string | undefined) ?? '/run/banhammer/banhammer.sock';
  let res: Response;
  try {
    res = await send(socket, req);
  } catch (err) {
    process.stderr.write(`banctl: cannot reach banhammerd at ${socket}: ${(err as Error).message}\n`);
    return 69;
  }
  if (!res.ok) {
    process.stderr.write(`banctl: ${res.error.message}\n`);
    return 1;
  }
  process.stdout.write(`${render(req, res.result)}\n`);
  return 0;
}

async function regexCommand(
  args: string[],
  values: Record<string, string | boolean | undefined>,
): Promise<number> {
  const [log, filter, ignore, ...rest] = args;
  if (log === undefined || filter === undefined || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const pinned = (values.now as string | undefined) ?? process.env.BANCTL_NOW;
  const seconds = pinned === undefined ? Date.now() / 1000 : Number(pinned);
  if (!Number.isFinite(seconds)) {
    process.stderr.write(`banctl regex: --now: expected epoch seconds, got "${pinned}"\n`);
    return 64;
  }
  const jobsText = values.jobs as string | undefined;
  const jobs = jobsText === undefined ? undefined : Number(jobsText);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) {
    process.stderr.write(`banctl regex: --jobs: expected a whole number from 1, got "${jobsText}"\n`);
    return 64;
  }
  const opts = {
    jobs,
    json: values.json === true,
    confDir: (values.conf as string | undefined) ?? '/etc/banhammer',
    now: seconds * 1000,
  };
  // Loaded only for regex: the other commands need no filter engine.
  const { runRegex } = await import('./regex.ts');
  return runRegex(log, filter, ignore, opts, (text) => process.stdout.write(`${text}\n`));
}
