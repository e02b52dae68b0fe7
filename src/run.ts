// The running daemon: builds the adapters (nftables, SQLite, log sources, mail, shell actions;
// see adapters.ts), starts every jail, serves the control socket, reloads on SIGHUP, and tears it
// all down on SIGTERM. With main.ts and adapters.ts the only code that names concrete adapters.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { buildActions, buildSources, logFallbacks, ownAddresses, type Source } from './adapters.ts';
import type { JailAction } from './ban/ports.ts';
import { ClockWatch } from './clock-watch.ts';
import type { DaemonConfig } from './config/types.ts';
import type { ControlResult } from './control/daemon.ts';
import type { ReloadReply } from './control/protocol.ts';
import { ControlServer } from './control/server.ts';
import { systemClock } from './core/clock.ts';
import { ConfigError, type ConfigProblem, formatProblem } from './core/errors.ts';
import { JailsDaemon } from './daemon.ts';
import { NftFirewall } from './firewall/nft-firewall.ts';
import { openNftRunner } from './firewall/nft-runner.ts';
import { HostList, resolveHost } from './host-list.ts';
import { ignoreCommandOf } from './ignore-command.ts';
import { Jail } from './jail/jail.ts';
import { type JailFactory, JailRoster } from './jail-roster.ts';
import type { Mailer } from './notify/mailer.ts';
import { createWhois } from './notify/whois.ts';
import type { JailPlan } from './plan.ts';
import { sdNotify, startWatchdog } from './sd-notify.ts';
import { SqliteStore } from './store/sqlite-store.ts';

/** Reads the configuration again: the jails' plans, or every problem (for a reload). */
export type Replan = () => { plans: JailPlan[] } | { problems: ConfigProblem[] };

export async function run(
  initialPlans: readonly JailPlan[],
  daemon: DaemonConfig,
  log: Logger,
  replan?: Replan,
): Promise<number> {
  let plans = initialPlans;
  const clock = systemClock;
  const stopSignal = catchStopSignals(log);
  // libnftables in process when the addon is built, else `nft -f -` (it logs which, and why).
  const runner = await openNftRunner(log.child({ stage: 'firewall' }));
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
  if (stopSignal.requested) {
    log.info({ signal: stopSignal.requested }, 'Stopped during start-up, before anything was set up.');
    return 0;
  }
  // The mail queue, and nodemailer with the http, tls and dns modules it loads, only once a jail
  // has a mail action: 5 MiB of an idle daemon's memory otherwise (bench/figures/memory.mjs).
  // Loaded as the configuration is applied, so a broken install fails the start or the reload.
  let mailer: Mailer | undefined;
  const mailerFor = async (p: readonly JailPlan[]): Promise<Mailer | undefined> => {
    if (mailer || !p.some(({ config }) => config.mailActions.length > 0)) return mailer;
    const { Mailer } = await import('./notify/mailer.ts');
    mailer = new Mailer({ settings: daemon.mail, clock, log: log.child({ stage: 'mail' }) });
    return mailer;
  };
  const whois = createWhois({ program: daemon.mail.whois, timeoutMs: daemon.mail.whoisTimeoutMs });
  let actions: Map<string, JailAction[]>;
  try {
    actions = buildActions(plans, { mailer: await mailerFor(plans), whois, clock, log });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
    return 78;
  }
  const store = new SqliteStore(daemon.dbfile);
  const firewall = new NftFirewall({ runner, clock, log: log.child({ stage: 'firewall' }) });
  const sourceOf = buildSources(store, clock, log);
  const sources = new Set<Source>();
  const own = ownAddresses();
  const makeJail: JailFactory = async ({ config, filter, increment }) => {
    const hostList = new HostList(config.ignoreHosts, log.child({ jail: config.name }));
    await hostList.start();
    const { source, follow } = sourceOf(config);
    const ownSource = !sources.has(source);
    sources.add(source);
    const jail = new Jail({
      config,
      filter,
      increment,
      clock,
      store,
      firewall,
      source: follow,
      actions: actions.get(config.name) ?? [],
      log: log.child({ jail: config.name }),
      ownAddresses: own,
      ignoredHosts: () => hostList.addresses(),
      ignoreCommand: ignoreCommandOf(config, clock),
      resolveHost,
      holdsRecords: () => clockWatch.wake(),
    });
    const dispose = () => {
      hostList.stop();
      // A journal source serves one jail only; the file sources are shared by all.
      if (ownSource && config.backend?.kind === 'systemd') {
        sources.delete(source);
        void source.close();
      }
    };
    return { jail, dispose };
  };
  const roster = new JailRoster(makeJail, (name) => firewall.removeJail(name), log);
  let control: ControlServer | undefined;
  let purge: NodeJS.Timeout | undefined;
  const clockWatch = new ClockWatch(() => roster.jails);
  let stopWatchdog = () => {};
  /** Clean shutdown from wherever start-up got to: every step skips what was not set up. */
  const shutdown = async (signal: string): Promise<number> => {
    sdNotify('STOPPING=1');
    log.info({ signal }, 'Shutting down.');
    clearInterval(purge);
    clockWatch.stop();
    stopWatchdog();
    await control?.close();
    await roster.stopAll();
    for (const source of sources) await source.close();
    store.close();
    await firewall.close().catch((err) => log.error({ err }, 'Could not remove the nftables table.'));
    // Mail already queued (the stop notices among it) gets a few seconds to leave.
    await mailer?.flush(5_000);
    mailer?.close();
    rmSync(daemon.pidfile, { force: true });
    log.info('Exiting.');
    log.flush();
    return 0;
  };
  logFallbacks(plans, log);
  // A safe point: every jail has restored its bans and followed its files (paused).
  await roster.start(plans);
  if (stopSignal.requested) return shutdown(stopSignal.requested);
  // Sources start paused so a resumed backlog reaches every jail that shares a file.
  // Once every source has done its first read, what follows is live: a line dated far from the
  // clock then counts as now, where the backlog keeps its own dates (jail/line-time.ts). A jail a
  // reload starts reads its backlog before resumeSources returns, too.
  const resumeSources = async () => {
    await Promise.all([...sources].map((s) => s.resume()));
    for (const jail of roster.jails) jail.beginOperation();
  };
  await resumeSources();
  if (stopSignal.requested) return shutdown(stopSignal.requested);
  clockWatch.wake();

  /** Re-reads the configuration; on any problem the running jails stay exactly as they are. */
  const refuse = (problems: readonly ConfigProblem[]): ControlResult<ReloadReply> => {
    log.error(
      { errors: problems.length },
      'Reload refused: the configuration has errors; keeping the running one.',
    );
    for (const p of problems) log.error(`  ${formatProblem(p)}`);
    return { ok: false, code: 'ECONFIG', message: problems.map(formatProblem).join('\n') };
  };
  const reload = async (): Promise<ControlResult<ReloadReply>> => {
    const next = replan?.() ?? {
      problems: [{ file: '(command line)', message: 'no configuration to re-read' }],
    };
    if ('problems' in next) return refuse(next.problems);
    let nextActions: Map<string, JailAction[]>;
    try {
      nextActions = buildActions(next.plans, { mailer: await mailerFor(next.plans), whois, clock, log });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return refuse(err.problems);
    }
    plans = next.plans;
    actions = nextActions;
    logFallbacks(plans, log);
    const report = await roster.apply(plans);
    await resumeSources();
    log.info(report, 'Reloaded the configuration.');
    return { ok: true, value: report };
  };
  control = new ControlServer(
    daemon.socket,
    new JailsDaemon(() => roster.jails, reload),
    log.child({ stage: 'control' }),
  );
  await control.listen();
  mkdirSync(dirname(daemon.pidfile), { recursive: true });
  writeFileSync(daemon.pidfile, `${process.pid}\n`);
  purge = setInterval(() => {
    const now = clock.now();
    const findtime = Math.max(0, ...plans.map((p) => p.config.findtimeMs));
    store.purge(now - findtime, now - daemon.dbpurgeageMs);
  }, 3_600_000);
  purge.unref();
  stopWatchdog = startWatchdog();
  sdNotify('READY=1');
  log.info({ jails: roster.jails.length }, 'Server ready.');

  if (stopSignal.requested) return shutdown(stopSignal.requested);
  stopSignal.ready(reload);
  return stopSignal.stopped.then(shutdown);
}

/**
 * SIGTERM and SIGINT handlers installed first thing, so a stop during a long start-up (a big
 * restore, a backlog) is a clean shutdown rather than the default kill: start-up checks
 * `requested` at its safe points; once ready, `stopped` settles at the first signal. A second
 * signal forces the exit. SIGHUP reloads once ready and is ignored before.
 */
function catchStopSignals(log: Logger): {
  readonly requested: string | undefined;
  readonly stopped: Promise<string>;
  ready(reload: () => Promise<unknown>): void;
} {
  let requested: string | undefined;
  let reload: (() => Promise<unknown>) | undefined;
  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const onStop = (signal: string) => {
    if (requested) {
      log.warn({ signal }, 'Second signal: exiting now.');
      process.exit(1);
    }
    requested = signal;
    if (!reload) log.info({ signal }, 'Stop requested during start-up; stopping at the next safe point.');
    stop(signal);
  };
  process.on('SIGTERM', () => onStop('SIGTERM'));
  process.on('SIGINT', () => onStop('SIGINT'));
  process.on('SIGHUP', () => {
    if (!reload) {
      log.warn('SIGHUP during start-up: ignored; send it again once the server is ready.');
      return;
    }
    log.info('SIGHUP: reloading the configuration.');
    void reload().catch((err: unknown) => log.error({ err }, 'Reload failed.'));
  });
  return {
    get requested() {
      return requested;
    },
    stopped,
    ready(r) {
      reload = r;
    },
  };
}
