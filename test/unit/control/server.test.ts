import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlResult, Daemon } from '../../../src/control/daemon.ts';
import type { DaemonStatus, JailStatusReply, ReloadReply, Response } from '../../../src/control/protocol.ts';
import { MAX_REQUEST_BYTES } from '../../../src/control/protocol.ts';
import { ControlServer } from '../../../src/control/server.ts';
import { captureLogger } from '../../support/fakes.ts';

const SSHD: JailStatusReply = {
  name: 'sshd',
  currentlyFailed: 1,
  totalFailed: 7,
  files: ['/var/log/auth.log'],
  currentlyBanned: 1,
  totalBanned: 2,
  bannedAddresses: ['192.0.2.1'],
};

const noJail = (jail: string) => ({
  ok: false as const,
  code: 'ENOJAIL',
  message: `no jail named "${jail}"`,
});

/** A Daemon holding one jail's banned set; `delayBans` ms make ban() slow; 'boom' throws. */
class FakeDaemon implements Daemon {
  readonly calls: string[] = [];
  readonly banned = new Set<string>();
  delayBans = 0;

  status(): DaemonStatus {
    this.calls.push('status');
    return { jails: ['sshd', 'web'] };
  }
  jailStatus(jail: string): ControlResult<JailStatusReply> {
    this.calls.push(`status ${jail}`);
    return jail === 'sshd' ? { ok: true, value: SSHD } : noJail(jail);
  }
  async ban(jail: string, ip: string): Promise<ControlResult<boolean>> {
    this.calls.push(`ban ${jail} ${ip}`);
    if (ip === 'boom') throw new Error('kaboom');
    if (this.delayBans > 0) await new Promise((r) => setTimeout(r, this.delayBans));
    if (jail !== 'sshd') return noJail(jail);
    const fresh = !this.banned.has(ip);
    this.banned.add(ip);
    return { ok: true, value: fresh };
  }
  async unban(jail: string, ip: string): Promise<ControlResult<boolean>> {
    this.calls.push(`unban ${jail} ${ip}`);
    if (jail !== 'sshd') return noJail(jail);
    return { ok: true, value: this.banned.delete(ip) };
  }
  async reload(): Promise<ControlResult<ReloadReply>> {
    this.calls.push('reload');
    return { ok: true, value: { started: [], restarted: ['sshd'], stopped: [], kept: ['web'], failed: [] } };
  }
}

/** One client connection that collects response lines. */
class Client {
  readonly socket: Socket;
  readonly lines: string[] = [];
  #buffer = '';
  #waiters: (() => void)[] = [];
  closed = false;

  constructor(path: string) {
    this.socket = connect(path);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl = this.#buffer.indexOf('\n');
      while (nl >= 0) {
        this.lines.push(this.#buffer.slice(0, nl));
        this.#buffer = this.#buffer.slice(nl + 1);
        nl = this.#buffer.indexOf('\n');
      }
      this.#wake();
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Writes `text` as is and waits until `count` more response lines have arrived. */
  async send(text: string, count = 1): Promise<Response[]> {
    const start = this.lines.length;
    this.socket.write(text);
    return this.#until(() => this.lines.length >= start + count, `${count} response(s)`).then(() =>
      this.lines.slice(start, start + count).map((l) => JSON.parse(l) as Response),
    );
  }

  async request(message: unknown): Promise<Response> {
    return (await this.send(`${JSON.stringify(message)}\n`))[0]!;
  }

  async untilClosed(): Promise<void> {
    await this.#until(() => this.closed, 'the server to close the connection');
  }

  async #until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (this.closed && !done()) throw new Error(`connection closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const error = (code: string) => ({ ok: false, error: { code, message: expect.any(String) } });

let dir: string;
let path: string;
let daemon: FakeDaemon;
let server: ControlServer;
let clients: Client[];
let logged: ReturnType<typeof captureLogger>;

function client(): Client {
  const c = new Client(path);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-ctl-'));
  path = join(dir, 'run', 'banhammer.sock');
  daemon = new FakeDaemon();
  logged = captureLogger();
  server = new ControlServer(path, daemon, logged.log);
  await server.listen();
  clients = [];
});

afterEach(async () => {
  for (const c of clients) c.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ControlServer: the socket', () => {
  it('is a socket only its owner may use (mode 0600)', () => {
    const st = statSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('replaces a stale socket file left by a killed daemon', async () => {
    await server.close();
    writeFileSync(path, 'stale');
    server = new ControlServer(path, daemon, logged.log);
    await server.listen();
    expect(await client().request({ cmd: 'ping' })).toEqual({ ok: true, result: 'pong' });
  });

  it('removes the socket file on close', async () => {
    const c = client();
    expect(await c.request({ cmd: 'ping' })).toEqual({ ok: true, result: 'pong' });
    c.close();
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  // One idle client (a stuck banctl, an operator's socat) must not hold up the daemon's shutdown.
  it('closes while a client still holds an idle connection', async () => {
    const c = client();
    expect(await c.request({ cmd: 'ping' })).toEqual({ ok: true, result: 'pong' });
    const outcome = await Promise.race([
      server.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 1 s'), 1000)),
    ]);
    expect(outcome).toBe('closed');
    expect(existsSync(path)).toBe(false);
  });
});

describe('ControlServer: commands', () => {
  it('answers ping', async () => {
    expect(await client().request({ cmd: 'ping' })).toEqual({ ok: true, result: 'pong' });
  });

  it('passes reload to the daemon and returns what changed', async () => {
    expect(await client().request({ cmd: 'reload' })).toEqual({
      ok: true,
      result: { started: [], restarted: ['sshd'], stopped: [], kept: ['web'], failed: [] },
    });
  });

  it('answers status with the jail list, and status JAIL with its numbers', async () => {
    const c = client();
    expect(await c.request({ cmd: 'status' })).toEqual({ ok: true, result: { jails: ['sshd', 'web'] } });
    expect(await c.request({ cmd: 'status', jail: 'sshd' })).toEqual({ ok: true, result: SSHD });
    expect(await c.request({ cmd: 'status', jail: 'nope' })).toEqual({
      ok: false,
      error: { code: 'ENOJAIL', message: 'no jail named "nope"' },
    });
  });

  it('bans and unbans, reporting whether anything changed', async () => {
    const c = client();
    expect(await c.request({ cmd: 'ban', jail: 'sshd', ip: '192.0.2.9' })).toEqual({
      ok: true,
      result: true,
    });
    expect(await c.request({ cmd: 'ban', jail: 'sshd', ip: '192.0.2.9' })).toEqual({
      ok: true,
      result: false,
    });
    expect(await c.request({ cmd: 'unban', jail: 'sshd', ip: '192.0.2.9' })).toEqual({
      ok: true,
      result: true,
    });
    expect(await c.request({ cmd: 'unban', jail: 'sshd', ip: '192.0.2.9' })).toEqual({
      ok: true,
      result: false,
    });
    expect(await c.request({ cmd: 'ban', jail: 'web2', ip: '192.0.2.9' })).toEqual(error('ENOJAIL'));
    expect(daemon.calls).toEqual([
      'ban sshd 192.0.2.9',
      'ban sshd 192.0.2.9',
      'unban sshd 192.0.2.9',
      'unban sshd 192.0.2.9',
      'ban web2 192.0.2.9',
    ]);
  });

  it('answers several requests of one connection in order, a slow one included', async () => {
    daemon.delayBans = 30;
    const batch = [
      { cmd: 'ban', jail: 'sshd', ip: '192.0.2.1' },
      { cmd: 'ping' },
      { cmd: 'status', jail: 'sshd' },
      { cmd: 'unban', jail: 'sshd', ip: '192.0.2.1' },
    ]
      .map((m) => `${JSON.stringify(m)}\n`)
      .join('');
    expect(await client().send(batch, 4)).toEqual([
      { ok: true, result: true },
      { ok: true, result: 'pong' },
      { ok: true, result: SSHD },
      { ok: true, result: true },
    ]);
  });

  it('joins a request split across writes', async () => {
    const c = client();
    c.socket.write('{"cmd":');
    await new Promise((r) => setTimeout(r, 20));
    expect(await c.send('"ping"}\n')).toEqual([{ ok: true, result: 'pong' }]);
  });
});

describe('ControlServer: bad requests', () => {
  it('answers each bad request with an error and keeps serving the connection', async () => {
    const c = client();
    const cases: [string, string][] = [
      ['{"cmd": "ping"', 'EPROTO'], // not JSON
      ['', 'EPROTO'],
      ['null', 'EPROTO'],
      ['42', 'EPROTO'],
      ['"ping"', 'EPROTO'],
      ['{}', 'EUNKNOWN'],
      ['{"cmd":"restart"}', 'EUNKNOWN'],
      ['{"cmd":"toString"}', 'EUNKNOWN'],
      ['{"cmd":"__proto__"}', 'EUNKNOWN'],
      ['{"cmd":7}', 'EUNKNOWN'],
      ['{"cmd":"status","jail":5}', 'EPROTO'],
      ['{"cmd":"ban","jail":"sshd","ip":["192.0.2.1"]}', 'EPROTO'],
      ['{"cmd":"ban","jail":null,"ip":"192.0.2.1"}', 'EPROTO'],
      ['{"cmd":"ban","ip":"192.0.2.1"}', 'EUSAGE'],
      ['{"cmd":"ban","jail":"sshd"}', 'EUSAGE'],
      ['{"cmd":"unban","ip":"192.0.2.1"}', 'EUSAGE'],
      ['{"cmd":"unban","jail":"sshd"}', 'EUSAGE'],
    ];
    for (const [text, code] of cases) {
      expect(await c.send(`${text}\n`), text).toEqual([error(code)]);
    }
    expect(daemon.calls).toEqual([]);
    expect(await c.request({ cmd: 'ping' })).toEqual({ ok: true, result: 'pong' });
  });

  it('names the field that is missing or of the wrong type', async () => {
    const c = client();
    expect(await c.request({ cmd: 'ban', jail: 'sshd' })).toEqual({
      ok: false,
      error: { code: 'EUSAGE', message: 'missing "ip"' },
    });
    expect(await c.request({ cmd: 'unban', jail: 1, ip: 'x' })).toEqual({
      ok: false,
      error: { code: 'EPROTO', message: '"jail" must be a string' },
    });
  });

  it('turns a throwing command into EINTERNAL, logs it, and keeps serving', async () => {
    const c = client();
    expect(await c.request({ cmd: 'ban', jail: 'sshd', ip: 'boom' })).toEqual({
      ok: false,
      error: { code: 'EINTERNAL', message: 'kaboom' },
    });
    expect(logged.records.find((r) => r.level === 50)).toMatchObject({
      cmd: 'ban',
      msg: 'Control command failed.',
    });
    expect(await c.request({ cmd: 'ping' })).toEqual({ ok: true, result: 'pong' });
  });

  it('refuses an over-long line without a newline with E2BIG and hangs up', async () => {
    const c = client();
    expect(await c.send('x'.repeat(MAX_REQUEST_BYTES + 1))).toEqual([error('E2BIG')]);
    await c.untilClosed();
    expect(await client().request({ cmd: 'ping' })).toEqual({ ok: true, result: 'pong' });
  });

  // Sockets are read in 64 KiB chunks: a too-long line whose newline arrives in the next chunk
  // must be refused as well.
  it('refuses an over-long line even when its newline has arrived', async () => {
    const line = `${JSON.stringify({ cmd: 'ping', pad: 'x'.repeat(70_000) })}\n`;
    expect(line.length).toBeGreaterThan(MAX_REQUEST_BYTES);
    expect(await client().send(line)).toEqual([error('E2BIG')]);
  });
});
