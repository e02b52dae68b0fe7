// The concrete adapters run.ts wires into jails: the machine's own addresses, each jail's actions
// (mail, action.d commands), the log source for each backend, and the load-time notes on patterns
// that need the bounded fallback. With run.ts and main.ts the only code naming concrete adapters.

import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { ShellAction } from './actions/shell-action.ts';
import type { JailAction } from './ban/ports.ts';
import type { JailConfig } from './config/types.ts';
import { type Address, parseAddress } from './core/address.ts';
import type { Clock } from './core/clock.ts';
import { ConfigError } from './core/errors.ts';
import type { LogSource } from './jail/ports.ts';
import { createMailAction } from './notify/mail-action.ts';
import type { MailSink } from './notify/mailer.ts';
import type { createWhois } from './notify/whois.ts';
import type { JailPlan } from './plan.ts';
import { skipOldLines } from './skip-old.ts';
import type { SqliteStore } from './store/sqlite-store.ts';
import { FileTail } from './tail/file-tail.ts';
import { JournalSource } from './tail/journal-source.ts';
import { PollingTail } from './tail/polling-tail.ts';

export function ownAddresses(): Address[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => (i ? parseAddress(i.address) : undefined))
    .filter((a): a is Address => a !== undefined);
}

/**
 * Every action of every jail, built before anything starts so a bad one stops start-up cleanly.
 * `mailer`: undefined only when no jail has a mail action.
 */
export function buildActions(
  plans: readonly JailPlan[],
  deps: { mailer: MailSink | undefined; whois: ReturnType<typeof createWhois>; clock: Clock; log: Logger },
): Map<string, JailAction[]> {
  const out = new Map<string, JailAction[]>();
  const problems = [];
  for (const { config } of plans) {
    const log = deps.log.child({ jail: config.name });
    const actions: JailAction[] = [];
    for (const call of config.mailActions) {
      if (!deps.mailer) throw new Error(`${config.name}: a mail action, and no mailer to send with`);
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

export type Source = LogSource & { resume(): Promise<void>; close(): Promise<void> };

/**
 * One log source per jail by its backend: inotify and polling are shared by every jail that uses
 * them (one reader per file); each systemd jail has its journalctl. All start paused: run()
 * resumes them once every jail has subscribed, so a resumed backlog reaches all of them. `follow`
 * is the jail's own way in: its `head` files skip the lines older than its findtime (skip-old.ts).
 */
export function buildSources(
  store: SqliteStore,
  clock: Clock,
  log: Logger,
): (config: JailConfig) => { source: Source; follow: LogSource } {
  const shared = { positions: store, paused: true };
  const skipping = skipOldLines(clock);
  let inotify: FileTail | undefined;
  let polling: PollingTail | undefined;
  return (config) => {
    const backend = config.backend ?? { kind: 'inotify' };
    if (backend.kind === 'systemd') {
      const source = new JournalSource({
        ...shared,
        name: config.name,
        backend,
        matches: config.filter.journalmatch ?? '',
        clock,
        log: log.child({ stage: 'journal', jail: config.name }),
      });
      return { source, follow: source };
    }
    let source: Source;
    if (backend.kind === 'polling') {
      source = polling ??= new PollingTail(clock, log.child({ stage: 'tail', backend: 'polling' }), shared);
    } else source = inotify ??= new FileTail(clock, log.child({ stage: 'tail' }), shared);
    return { source, follow: skipping(source, config) };
  };
}

export function logFallbacks(plans: readonly JailPlan[], log: Logger): void {
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
}
