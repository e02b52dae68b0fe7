// Test kit for end-to-end firewall tests: a fresh server/attacker namespace pair joined by a veth,
// with 10.213.N.0/24 and fd00:213:N::/64 addresses that exist only inside those namespaces, so no
// test traffic ever leaves them. `withNetns` always deletes what it made, even when the test
// throws; `assertNoLeftovers` fails a run that leaked a namespace or a process anyway.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { loadNativeAddon } from '../../src/firewall/nft-native.ts';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ConnectOptions {
  readonly timeoutMs?: number;
  /** Source address to bind; it must be configured in `fromNs`. */
  readonly sourceAddress?: string;
}

export interface Netns {
  readonly server: string;
  readonly attacker: string;
  readonly serverV4: string;
  readonly serverV6: string;
  readonly attackerV4: string;
  /** A second attacker address on the same link, for "others still connect" checks. */
  readonly attackerV4Alt: string;
  readonly attackerV6: string;
  readonly attackerV6Alt: string;
  /** Runs `argv` inside `ns`; rejects when it exits non-zero. */
  exec(ns: string, argv: readonly string[]): Promise<ExecResult>;
  /** Starts a TCP accept server on `port` (all addresses) inside `ns`; resolves once listening. */
  tcpServer(ns: string, port: number): Promise<void>;
  /** True when a TCP connection from `fromNs` to `address:port` completes before the timeout. */
  canConnect(fromNs: string, address: string, port: number, options?: ConnectOptions): Promise<boolean>;
}

const created = new Set<string>();
const running = new Set<ChildProcess>();
let sequence = 0;

function run(argv: readonly string[], input = ''): Promise<ExecResult> {
  const [command, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function must(argv: readonly string[]): Promise<ExecResult> {
  const result = await run(argv);
  if (result.code !== 0) throw new Error(`${argv.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result;
}

function nsExec(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

const SERVER_JS = `const net = require('node:net');
// A client that exits right after connecting resets the socket; that must not kill the server.
const server = net.createServer((c) => { c.on('error', () => {}); c.end('ok\\n'); });
server.listen({ port: Number(process.argv[1]), host: '::' }, () => console.log('listening'));`;

const CONNECT_JS = `const net = require('node:net');
const [host, port, timeout, localAddress] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port), localAddress: localAddress || undefined });
s.setTimeout(Number(timeout), () => process.exit(1));
s.on('connect', () => process.exit(0));
s.on('error', () => process.exit(2));`;

async function tcpServer(ns: string, port: number): Promise<void> {
  const argv = ['netns', 'exec', ns, process.execPath, '-e', SERVER_JS, String(port)];
  const child = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('listening')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`TCP server in ${ns} exited ${code}: ${stderr.trim()}`)));
  });
}

async function canConnect(fromNs: string, address: string, port: number, options: ConnectOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 1000;
  const argv = [process.execPath, '-e', CONNECT_JS, address, String(port), String(timeoutMs)];
  const result = await run(nsExec(fromNs, [...argv, options.sourceAddress ?? '']));
  return result.code === 0;
}

async function stopProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  running.clear();
}

/** Runs `fn` with a fresh namespace pair and always removes the pair and its processes after. */
export async function withNetns<T>(fn: (ns: Netns) => Promise<T>): Promise<T> {
  const n = (sequence++ % 250) + 1;
  const tag = `${process.pid}-${n}`;
  const server = `bh-srv-${tag}`;
  const attacker = `bh-atk-${tag}`;
  const ns: Netns = {
    server,
    attacker,
    serverV4: `10.213.${n}.1`,
    serverV6: `fd00:213:${n}::1`,
    attackerV4: `10.213.${n}.2`,
    attackerV4Alt: `10.213.${n}.3`,
    attackerV6: `fd00:213:${n}::2`,
    attackerV6Alt: `fd00:213:${n}::3`,
    exec: (where, argv) => must(nsExec(where, argv)),
    tcpServer,
    canConnect,
  };
  try {
    for (const name of [server, attacker]) {
      created.add(name);
      await must(['ip', 'netns', 'add', name]);
      await must(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
      // Without this the veth's own fe80:: address sits in DAD ("tentative") for ~1.5 s.
      const dad = ['net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0'];
      await must(nsExec(name, ['sysctl', '-qw', ...dad]));
    }
    // Both ends are created inside the namespaces, so the host never sees the veth.
    await must([
      'ip',
      '-n',
      server,
      'link',
      'add',
      'bh0',
      'type',
      'veth',
      'peer',
      'name',
      'bh0',
      'netns',
      attacker,
    ]);
    const addrs: [string, string[]][] = [
      [server, [`${ns.serverV4}/24`, `${ns.serverV6}/64`]],
      [
        attacker,
        [`${ns.attackerV4}/24`, `${ns.attackerV4Alt}/24`, `${ns.attackerV6}/64`, `${ns.attackerV6Alt}/64`],
      ],
    ];
    for (const [where, list] of addrs) {
      for (const a of list) {
        // nodad as well, in case a kernel applies accept_dad per address family differently.
        const extra = a.includes(':') ? ['nodad'] : [];
        await must(['ip', '-n', where, 'addr', 'add', a, 'dev', 'bh0', ...extra]);
      }
      await must(['ip', '-n', where, 'link', 'set', 'bh0', 'up']);
    }
    await waitReady([server, attacker]);
    return await fn(ns);
  } finally {
    await stopProcesses();
    for (const name of [server, attacker]) {
      const result = await run(['ip', 'netns', 'del', name]);
      if (result.code === 0 || !(await exists(name))) created.delete(name);
    }
  }
}

// The veth carrier and any still-tentative IPv6 address settle asynchronously after `link up`.
async function waitReady(names: readonly string[]): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const states = await Promise.all(
      names.map(async (name) => {
        const link = await must(['ip', '-n', name, '-o', 'link', 'show', 'bh0']);
        const tentative = await must(['ip', '-n', name, '-6', '-o', 'addr', 'show', 'tentative']);
        return link.stdout.includes('LOWER_UP') && tentative.stdout.trim() === '';
      }),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`Namespaces ${names.join(', ')} did not come up within 5 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exists(name: string): Promise<boolean> {
  const list = await must(['ip', 'netns', 'list']);
  return list.stdout.split('\n').some((line) => line.split(' ')[0] === name);
}

/** Throws when a namespace this kit created still exists or a process it started still runs. */
export async function assertNoLeftovers(): Promise<void> {
  const left = [];
  for (const name of created) if (await exists(name)) left.push(name);
  const procs = [...running].filter((c) => c.exitCode === null && c.signalCode === null).length;
  if (left.length > 0 || procs > 0) {
    throw new Error(`Leftovers: namespaces [${left.join(', ')}], ${procs} running process(es)`);
  }
}

/**
 * True when we are root and `nft`, `ip` and `sysctl` run. When a prerequisite is missing this returns
 * false for `describe.skipIf`, except under CI=true where it throws: CI must fail, not skip.
 */
export function requireRoot(): boolean {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root');
  if (spawnSync('nft', ['--version']).status !== 0) missing.push('nft');
  if (spawnSync('ip', ['-V']).status !== 0) missing.push('ip');
  if (spawnSync('sysctl', ['-n', 'kernel.ostype']).status !== 0) missing.push('sysctl');
  if (missing.length === 0) return true;
  if (process.env.CI === 'true') throw new Error(`E2E prerequisites missing under CI: ${missing.join(', ')}`);
  return false;
}

/**
 * True when the native nftables addon (native/build) loads. Like requireRoot: false for
 * `describe.skipIf` when it is not built, except under CI=true where it throws.
 */
export function requireNativeAddon(): boolean {
  try {
    loadNativeAddon();
    return true;
  } catch (err) {
    if (process.env.CI === 'true')
      throw new Error(`Native addon missing under CI: ${(err as Error).message}`);
    return false;
  }
}

/** The file a namespace made by this kit is reachable at, for code that enters it by path. */
export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}
