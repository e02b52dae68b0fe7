// banhammerd's entry: command line → configuration → plan → run (run.ts builds the adapters).
// Exit codes follow sysexits: 64 usage, 69 firewall unavailable, 78 bad configuration.

import { parseArgs } from 'node:util';
import { loadConfig } from './config/load.ts';
import { formatProblem } from './core/errors.ts';
import { createLogger } from './log.ts';
import { planJails } from './plan.ts';
import { run } from './run.ts';
import { selfLogWarnings } from './self-log.ts';

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
  const planned = 'config' in loaded ? planJails(loaded.config.jails) : undefined;
  const problems =
    'problems' in loaded ? loaded.problems : planned && 'problems' in planned ? planned.problems : [];
  if (!('config' in loaded) || !planned || !('plans' in planned)) {
    process.stderr.write(`banhammerd: ${problems.length} configuration error(s) in ${dir}:\n`);
    for (const p of problems) process.stderr.write(`  ${formatProblem(p)}\n`);
    return 78;
  }
  const config = loaded.config;
  const plans = planned.plans;
  if (values.test) {
    for (const w of [...config.warnings, ...selfLogWarnings(plans, config.daemon, Date.now())]) {
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
  for (const w of [...config.warnings, ...selfLogWarnings(plans, daemon, Date.now())]) log.warn(w);
  // A reload reads the same directory again; the daemon's own settings (socket, dbfile, log)
  // keep their start-up values until a restart.
  const replan = () => {
    const again = loadConfig(dir);
    if ('problems' in again) return { problems: again.problems };
    for (const w of again.config.warnings) log.warn(w);
    return planJails(again.config.jails);
  };
  return run(plans, daemon, log, replan);
}
