// When a failure counts, by the rules of fail2ban's filter (processLine). While a jail reads its
// backlog (lines logged while banhammerd was down), a line keeps its own date and one older than
// findtime is ignored: an old burst bans nobody now. In operation, a date more than 60 s away
// from the clock is a latency or time-zone problem, not news from the past or the future: the
// failure counts as happening now, so it neither escapes counting nor lingers in the window, and
// a warning naming the line is logged once a day. A time the source itself recorded (a journal
// entry's) is not parsed text and is kept. No failure is ever dated after now.

import type { Logger } from 'pino';

/** In operation, a date further than this from the clock is taken as now (fail2ban: 60 s). */
export const MAX_DEVIATION_MS = 60_000;
/** How often each kind of warning is logged at most. */
const WARN_EVERY_MS = 86_400_000;
/** A date up to this far behind is a slow log (latency); beyond, or ahead, a time-zone error. */
const LATENCY_MS = 3_300_000;

export class LineTimes {
  readonly #findtimeMs: number;
  readonly #log: Logger;
  #operating = false;
  #nextOddWarning = Number.NEGATIVE_INFINITY;
  #nextOldWarning = Number.NEGATIVE_INFINITY;

  constructor(findtimeMs: number, log: Logger) {
    this.#findtimeMs = findtimeMs;
    this.#log = log;
  }

  /** The backlog has been read: from now on lines are live. */
  beginOperation(): void {
    this.#operating = true;
  }

  get operating(): boolean {
    return this.#operating;
  }

  /**
   * The time a failure dated `time` counts at, read at `now`; undefined when it does not count.
   * `known`: the source recorded the time (journal), it was not read from the text.
   */
  judge(time: number, now: number, text: string, known: boolean): number | undefined {
    if (this.#operating && !known) {
      const deviation = time - now;
      if (Math.abs(deviation) > MAX_DEVIATION_MS) {
        this.#odd(deviation, now, text);
        return now;
      }
    } else if (time < now - this.#findtimeMs) {
      this.#old(now, text);
      return undefined;
    }
    return Math.min(time, now);
  }

  #odd(deviation: number, now: number, text: string): void {
    const fields = {
      line: text,
      deviationS: Math.round(deviation / 1000),
      cause: deviation < 0 && deviation >= -LATENCY_MS ? 'latency' : 'timezone',
    };
    if (now >= this.#nextOddWarning) {
      this.#nextOddWarning = now + WARN_EVERY_MS;
      this.#log.warn(
        fields,
        'Log line dated far from the clock; counting it as now. Check the jail for a time problem (logtimezone, a slow log).',
      );
    } else if (this.#log.isLevelEnabled('debug'))
      this.#log.debug(fields, 'Log line dated far from the clock.');
  }

  #old(now: number, text: string): void {
    const fields = { line: text, findtimeS: Math.round(this.#findtimeMs / 1000) };
    if (now >= this.#nextOldWarning) {
      this.#nextOldWarning = now + WARN_EVERY_MS;
      this.#log.warn(
        fields,
        'Ignoring backlog lines older than findtime (logged while banhammerd was down?).',
      );
    } else if (this.#log.isLevelEnabled('debug'))
      this.#log.debug(fields, 'Ignored a backlog line older than findtime.');
  }
}
