// A jail's view of a shared file source, telling it which lines of the jail's `head` files are too
// old to count: those dated before now − findtime by the jail's own date rules (datepattern,
// logtimezone), so a first read from the start seeks past them (tail/seek-by-date.ts) as fail2ban
// does. The dates are read by a detector of their own, not the filter's, which keeps state from line
// to line. Jails with the same date rules share one date reader, so a file they share is searched
// once, for the earliest findtime among them (tail/reader-pool.ts).

import type { JailConfig } from './config/types.ts';
import type { Clock } from './core/clock.ts';
import { lineDate } from './filter/date/index.ts';
import type { LogSource, SkipOld } from './jail/ports.ts';

/** Wraps a shared source for one jail at a time; call once per daemon, for the shared readers. */
export function skipOldLines(clock: Clock): (source: LogSource, config: JailConfig) => LogSource {
  const readers = new Map<string, SkipOld['timeOf']>();
  const timeOf = (config: JailConfig): SkipOld['timeOf'] => {
    const { datepattern } = config.filter;
    const key = JSON.stringify([datepattern ?? '', config.logtimezone]);
    let reader = readers.get(key);
    if (!reader) {
      const date = lineDate(datepattern, config.logtimezone ? { timezone: config.logtimezone } : {});
      // The year of a year-less date is chosen against now, as when the line is read.
      reader = (line) => date(line, clock.now());
      readers.set(key, reader);
    }
    return reader;
  };
  return (source, config) => ({
    follow: (paths, onLine, options) =>
      source.follow(paths, onLine, {
        ...options,
        // Taken when the jail subscribes, before the first read: early, so it errs towards reading more.
        skipOld: { since: clock.now() - config.findtimeMs, timeOf: timeOf(config) },
      }),
  });
}
