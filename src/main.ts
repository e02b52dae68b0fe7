// banhammerd's composition root: config → store, firewall, log source → jails → control socket.
// The only module that names concrete adapters. Exit codes follow sysexits: 64 usage,
// 69 firewall unavailable, 78 bad configuration.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { loadConfig } from './config/load.ts';
import type { JailConfig } from './config/types.ts';
import { ControlServer } from './control/server.ts';
import { type Address, parseAddress } from './core/address.ts';
import { systemClock } from './core/clock.ts';
import { type ConfigProblem, formatProblem } from './core/errors.ts';
import { JailsDaemon } from './daemon.ts';
import { compileFilter, type Filter } from './filter/compile.ts';
import { NftCli } from './firewall/nft-cli.ts';
import { NftFirewall } from './firewall/nft-firewall.ts';
import { Jail } from './jail/jail.ts';
import { createLogger } from './log.ts';
import { sdNotify, startWatchdog } from './sd-notify.ts';
import { selfLogWarnings } from './self-log.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import { FileTail } from './tail/file-tail.ts';

const USAGE = `Usage: banhammerd [options]
  -c, --conf DIR       configuration directory (default /etc/banhammer)
  -s, --socket PATH    control socket (overrides banhammer.conf)
  -p, --pidfile PATH   pid file (overrides banhammer.conf)
      --dbfile PATH    state database (overrides banhammer.conf)
      --logtarget T    log file, or STDERR / STDOUT (overrides banhammer.conf)
      --loglevel L     CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG or TRACE
  -f, --foreground     stay in the foreground (banhammerd always does; systemd supervises it)
  -t, --test           check the configuration and exit
  -h, --help           show this help`;

function ownAddresses(): Address[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => (i ? parseAddress(i.address) : undefined))
    .filter((a): a is Address => a !== undefined);
}

function compileAll(
  jails: readonly JailConfig[],
): { filters: Map<string, Filter> } | { problems: ConfigProblem[] } {
  const filters = new Map<string, Filter>();
  const problems: ConfigProblem[] = [];
  for (const j of jails) {
    const r = compileFilter(j.filter);
    if ('problems' in r) problems.push(...r.problems);
    else filters.set(j.name, r.filter);
  }
  return problems.length > 0 ? { problems } : { filters };
}

export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        conf: { type: 'string', short: 'c', default: '/etc/banhammer' },
        socket: { type: 'string', short: 's' },
        pidfile: { type: 'string', short: 'p' },
        dbfile: { type: 'string' },
        logtarget: { type: 'string' },
        loglevel: { type: 'string' },
        foreground: { type: 'boolean', short: 'f' },
        test: { type: 'boolean', short: 't' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`banhammerd: ${(err as Error).message}\n${USAGE}\n`);
    return 64;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = values.conf as string;
  const loaded = loadConfig(dir);
  const compiled = 'config' in loaded ? compileAll(loaded.config.jails) : undefined;
  const problems =
    'problems' in loaded ? loaded.problems : compiled && 'problems' in compiled ? compiled.problems : [];
  if (problems.length > 0 || !('config' in loaded) || !compiled || !('filters' in compiled)) {
    process.stderr.write(`banhammerd: ${problems.length} configuration error(s) in ${dir}:\n`);
    for (const p of problems) process.stderr.write(`  ${formatProblem(p)}\n`);
    return 78;
  }
  const config = loaded.config;
  if (values.test) {
    const withFilters = config.jails.map((j) => ({ config: j, filter: compiled.filters.get(j.name)! }));
    for (const w of [...config.warnings, ...selfLogWarnings(withFilters, config.daemon, Date.now())]) {
      process.stderr.write(`warning: ${w}\n`);
    }
    process.stdout.write(`OK: configuration test is successful (${config.jails.length} jail(s))\n`);
    return 0;
  }
  const daemon = {
    ...config.daemon,
    socket: (values.socket as string | undefined) ?? config.daemon.socket,
    pidfile: (values.pidfile as string | undefined) ?? config.daemon.pidfile,
    dbfile: (values.dbfile as string | undefined) ?? config.daemon.dbfile,
    logtarget: (values.logtarget as string | undefined) ?? config.daemon.logtarget,
    loglevel: (values.loglevel as string | undefined) ?? config.daemon.loglevel,
  };
  const log = createLogger(daemon);
  for (const w of config.warnings) log.warn(w);
  const withFilters = config.jails.map((j) => ({ config: j, filter: compiled.filters.get(j.name)! }));
  for (const w of selfLogWarnings(withFilters, daemon, Date.now())) log.warn(w);
  return run(config.jails, compiled.filters, daemon, log);
}

async function run(
  jailConfigs: readonly JailConfig[],
  filters: Map<string, Filter>,
  daemon: { socket: string; pidfile: string; dbfile: string; dbpurgeageMs: number },
  log: Logger,
): Promise<number> {
  const clock = systemClock;
  const runner = new NftCli();
  try {
    await runner.version();
  } catch (err) {
    log.fatal({ err }, 'nftables is not available: install it with "apt-get install nftables".');
    return 69;
  }
  try {
    // Listing needs the same privilege (CAP_NET_ADMIN) as banning: fail now, not at the first ban.
    await runner.listJson(['list', 'tables'], 'probe');
  } catch (err) {
    log.fatal({ err }, 'nftables refused access: banhammerd must run as root (CAP_NET_ADMIN).');
    return 69;
  }
  const store = new SqliteStore(daemon.dbfile);
  const firewall = new NftFirewall({ runner, clock, log: log.child({ stage: 'firewall' }) });
  const tail = new FileTail(clock, log.child({ stage: 'tail' }));
  const own = ownAddresses();
  const jails = jailConfigs.map(
    (config) =>
      new Jail({
        config,
        filter: filters.get(config.name)!,
        clock,
        store,
        firewall,
        source: tail,
        log: log.child({ jail: config.name }),
        ownAddresses: own,
      }),
  );
  const started: Jail[] = [];
  for (const jail of jails) {
    try {
      await jail.start();
      started.push(jail);
      log.info({ jail: jail.name }, 'Jail started.');
    } catch (err) {
      // One broken jail (say, its nft rule is refused) must not keep the others down.
      log.error({ err, jail: jail.name }, 'Jail failed to start.');
    }
  }
  const control = new ControlServer(daemon.socket, new JailsDaemon(started), log.child({ stage: 'control' }));
  await control.listen();
  mkdirSync(dirname(daemon.pidfile), { recursive: true });
  writeFileSync(daemon.pidfile, `${process.pid}\n`);
  const purge = setInterval(() => {
    const now = clock.now();
    const findtime = Math.max(0, ...jailConfigs.map((j) => j.findtimeMs));
    store.purge(now - findtime, now - daemon.dbpurgeageMs);
  }, 3_600_000);
  purge.unref();
  const stopWatchdog = startWatchdog();
  sdNotify('READY=1');
  log.info({ jails: started.length }, 'Server ready.');

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) {
        log.warn({ signal }, 'Second signal: exiting now.');
        process.exit(1);
      }
      stopping = true;
      sdNotify('STOPPING=1');
      log.info({ signal }, 'Shutting down.');
      clearInterval(purge);
      stopWatchdog();
      await control.close();
      for (const jail of started) await jail.stop();
      await tail.close();
      store.close();
      await firewall.close().catch((err) => log.error({ err }, 'Could not remove the nftables table.'));
      rmSync(daemon.pidfile, { force: true });
      log.info('Exiting.');
      log.flush();
      done(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGHUP', () => log.warn('Reload is not supported yet; restart banhammerd to apply changes.'));
  });
}
