// The running daemon: builds the adapters (nftables, SQLite, file tail, mail, shell actions),
// starts every jail, serves the control socket, and tears it all down on SIGTERM. With main.ts
// the only code that names concrete adapters.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { ShellAction } from './actions/shell-action.ts';
import type { JailAction } from './ban/ports.ts';
import type { DaemonConfig } from './config/types.ts';
import { ControlServer } from './control/server.ts';
import { type Address, parseAddress } from './core/address.ts';
import { type Clock, systemClock } from './core/clock.ts';
import { ConfigError, formatProblem } from './core/errors.ts';
import { JailsDaemon } from './daemon.ts';
import { NftCli } from './firewall/nft-cli.ts';
import { NftFirewall } from './firewall/nft-firewall.ts';
import { HostList, resolveHost } from './host-list.ts';
import { ignoreCommandOf } from './ignore-command.ts';
import { Jail } from './jail/jail.ts';
import { createMailAction } from './notify/mail-action.ts';
import { Mailer } from './notify/mailer.ts';
import { createWhois } from './notify/whois.ts';
import type { JailPlan } from './plan.ts';
import { sdNotify, startWatchdog } from './sd-notify.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import { FileTail } from './tail/file-tail.ts';

function ownAddresses(): Address[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => (i ? parseAddress(i.address) : undefined))
    .filter((a): a is Address => a !== undefined);
}

/** Every action of every jail, built before anything starts so a bad one stops start-up cleanly. */
function buildActions(
  plans: readonly JailPlan[],
  deps: { mailer: Mailer; whois: ReturnType<typeof createWhois>; clock: Clock; log: Logger },
): Map<string, JailAction[]> {
  const out = new Map<string, JailAction[]>();
  const problems = [];
  for (const { config } of plans) {
    const log = deps.log.child({ jail: config.name });
    const actions: JailAction[] = [];
    for (const call of config.mailActions) {
      try {
        const action = createMailAction(call.name, call.args, {
          jail: config.name,
          mailer: deps.mailer,
          whois: deps.whois,
          log,
        });
        if (action) actions.push(action);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
    }
    for (const file of config.shellActions) {
      actions.push(new ShellAction({ jail: config.name, config: file, now: () => deps.clock.now(), log }));
    }
    out.set(config.name, actions);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

export async function run(plans: readonly JailPlan[], daemon: DaemonConfig, log: Logger): Promise<number> {
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
  const mailer = new Mailer({ settings: daemon.mail, clock, log: log.child({ stage: 'mail' }) });
  const whois = createWhois({ program: daemon.mail.whois, timeoutMs: daemon.mail.whoisTimeoutMs });
  let actions: Map<string, JailAction[]>;
  try {
    actions = buildActions(plans, { mailer, whois, clock, log });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
    return 78;
  }
  const store = new SqliteStore(daemon.dbfile);
  const firewall = new NftFirewall({ runner, clock, log: log.child({ stage: 'firewall' }) });
  const tail = new FileTail(clock, log.child({ stage: 'tail' }));
  const own = ownAddresses();
  const hostLists = plans.map((p) => new HostList(p.config.ignoreHosts, log.child({ jail: p.config.name })));
  await Promise.all(hostLists.map((h) => h.start()));
  const jails = plans.map(
    ({ config, filter, increment }, i) =>
      new Jail({
        config,
        filter,
        increment,
        clock,
        store,
        firewall,
        source: tail,
        actions: actions.get(config.name) ?? [],
        log: log.child({ jail: config.name }),
        ownAddresses: own,
        ignoredHosts: () => hostLists[i]!.addresses(),
        ignoreCommand: ignoreCommandOf(config, clock),
        resolveHost,
      }),
  );
  for (const { config, filter } of plans) {
    for (const f of filter.fallbacks) {
      log.info(
        {
          jail: config.name,
          file: f.pattern.file,
          line: f.pattern.line,
          constructs: f.constructs.join(', '),
        },
        'Pattern uses the bounded fallback matcher after RE2.',
      );
    }
  }
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
    const findtime = Math.max(0, ...plans.map((p) => p.config.findtimeMs));
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
      for (const h of hostLists) h.stop();
      await control.close();
      for (const jail of started) await jail.stop();
      await tail.close();
      store.close();
      await firewall.close().catch((err) => log.error({ err }, 'Could not remove the nftables table.'));
      // Mail already queued (the stop notices among it) gets a few seconds to leave.
      await mailer.flush(5_000);
      mailer.close();
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
