// Start-up checks for jails that watch banhammerd's own log (recidive and its kin): a jail that
// follows the log but cannot match its ban lines, or matches ban lines but follows another file,
// would silently never ban. Each finding names the option that fixes it.

import { resolve } from 'node:path';
import type { JailConfig } from './config/types.ts';
import { requirePackage } from './core/require-package.ts';
import type { Filter } from './filter/compile.ts';
import { isLogFile } from './log.ts';
import { formatEvent, type LogStyle } from './log-text.ts';

const picomatch = requirePackage('picomatch') as typeof import('picomatch');

const PROBE_IP = '192.0.2.1';

function matchesBanLine(filter: Filter, style: LogStyle, now: number): boolean {
  const line = formatEvent(style, 'ban', {
    time: now,
    jail: 'banhammer-probe',
    ip: PROBE_IP,
    pid: process.pid,
  });
  return filter.match(line, now)?.address?.text === PROBE_IP;
}

function follows(jail: JailConfig, path: string): boolean {
  return jail.logpaths.some((p) => picomatch(resolve(p), { dot: true })(path));
}

export function selfLogWarnings(
  jails: readonly { config: JailConfig; filter: Filter }[],
  daemon: { logtarget: string; logstyle: LogStyle },
  now: number,
): string[] {
  const warnings: string[] = [];
  const own = isLogFile(daemon.logtarget) ? resolve(daemon.logtarget) : undefined;
  const other: LogStyle = daemon.logstyle === 'legacy' ? 'modern' : 'legacy';
  for (const { config, filter } of jails) {
    const reads = own !== undefined && follows(config, own);
    const current = matchesBanLine(filter, daemon.logstyle, now);
    const alternative = matchesBanLine(filter, other, now);
    if (reads && !current) {
      warnings.push(
        alternative
          ? `jail ${config.name}: its failregex matches ban lines of logstyle = ${other}, but banhammerd writes logstyle = ${daemon.logstyle}; set logstyle = ${other} in banhammer.local`
          : `jail ${config.name}: it follows banhammerd's own log ${own}, but its failregex matches none of banhammerd's ban lines (logstyle = legacy or modern)`,
      );
    } else if (!reads && (current || alternative)) {
      const where = own
        ? `banhammerd's log is ${own}`
        : `banhammerd logs to ${daemon.logtarget}, not to a file`;
      warnings.push(
        `jail ${config.name}: its failregex matches banhammerd's ban lines, but it follows ${config.logpaths.join(', ')} and ${where}; set logtarget = ${config.logpaths[0]} in banhammer.local, or the jail's logpath to banhammerd's log`,
      );
    }
  }
  return warnings;
}
