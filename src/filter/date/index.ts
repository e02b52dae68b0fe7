// fail2ban-compatible date detection: finds a log line's timestamp and its extent, with fail2ban's
// default templates and template preference, or with a jail's own `datepattern`. Every template is
// one RE2 program compiled when the detector is built; finding a date is linear in the line.

import { type DateDetector, TemplateDetector } from './detector.ts';
import { defaultTemplates, patternTemplates } from './patterns.ts';
import { parseTimezone, type Zone } from './zone.ts';

export type { DateDetector, DateHit } from './detector.ts';
export { parseTimezone, type Zone } from './zone.ts';

export interface DetectorOptions {
  /** logtimezone: the zone of dates that carry none (default: the process zone, TZ). */
  readonly timezone?: string | undefined;
  /**
   * The process's TZ will not change while the detector is used (a one-shot tool such as `banctl
   * regex`): read it once, not for every line (0.13 us a line). Without it, a change is followed.
   */
  readonly fixedTz?: boolean | undefined;
}

function zoneOf(timezone: string | undefined): Zone | { error: string } {
  return timezone === undefined ? 'local' : parseTimezone(timezone);
}

/**
 * fail2ban's default templates in its order and with its preference for the last winner and for
 * line-start matches. `timezone` is logtimezone: the zone of dates that carry none (default: TZ).
 * Throws on an invalid timezone; validate it with parseTimezone first.
 */
export function defaultDetector(opts?: DetectorOptions): DateDetector {
  const zone = zoneOf(opts?.timezone);
  if (typeof zone === 'object') throw new Error(`logtimezone: ${zone.error}`);
  return new TemplateDetector('Default Detectors', defaultTemplates(), zone, opts?.fixedTz);
}

/**
 * A detector for a jail's `datepattern`: one pattern per line (or array entry), each a strptime-style
 * regex, or a special value ({DEFAULT}, {^LN-BEG}, {NONE}, EPOCH, LEPOCH, TAI64N, ISO8601, {DATE}).
 */
export function patternDetector(
  datepattern: string | readonly string[],
  opts?: DetectorOptions,
): DateDetector | { error: string } {
  const zone = zoneOf(opts?.timezone);
  if (typeof zone === 'object') return { error: `logtimezone: ${zone.error}` };
  const templates = patternTemplates(datepattern);
  if ('error' in templates) return templates;
  const name = typeof datepattern === 'string' ? datepattern.trim() : datepattern.join('\n');
  return new TemplateDetector(name, templates, zone, opts?.fixedTz);
}

/** The detector a filter uses: its `datepattern`'s, else fail2ban's defaults; or the pattern's error. */
export function detectorFor(
  datepattern: string | readonly string[] | undefined,
  opts?: DetectorOptions,
): DateDetector | { error: string } {
  return datepattern ? patternDetector(datepattern, opts) : defaultDetector(opts);
}

/**
 * A line's date as a filter with this `datepattern` and zone reads it (a fresh detector of its own:
 * a filter's keeps state from line to line), or undefined when it has none. An empty date (`{NONE}`,
 * an optional one) is none: the filter then takes a recent line's date or now, which is no date of
 * the line's own. Throws on an invalid pattern or zone; plan.ts validates both first.
 */
export function lineDate(
  datepattern: string | readonly string[] | undefined,
  opts?: DetectorOptions,
): (line: string, now: number) => number | undefined {
  const d = detectorFor(datepattern, opts);
  if ('error' in d) throw new Error(`datepattern: ${d.error}`);
  return (line, now) => {
    const hit = d.find(line, now);
    return hit && hit.end > hit.start ? hit.time : undefined;
  };
}
