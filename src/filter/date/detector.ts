// Chooses among a list of templates the way fail2ban's DateDetector does, so a log gets the same
// date from the same place: the last winner is tried first (inside its previous extent when the
// neighbouring characters agree), winners bubble up the list, and a line-start match ends the search.
// Each template keeps its last search (memo.ts), and the detector its last time read, so a line that
// repeats the last one's date costs neither RE2 nor Date; the statistics count every search alike.

import { requirePackage } from '../../core/require-package.ts';
import { type NativeMatcher, nativeMatcher } from '../native-regex.ts';
import { SearchMemo } from './memo.ts';
import { type Found, foundIn, Subject, search } from './search.ts';
import { SecondsStep } from './seconds-step.ts';
import type { Template } from './template.ts';
import { timeOf } from './value.ts';
import { WallClock } from './wall-clock.ts';
import type { Zone } from './zone.ts';

export interface DateHit {
  /** Milliseconds since the epoch. */
  time: number;
  /** The date's extent [start, end) in the line, in UTF-16 units. */
  start: number;
  end: number;
}

export interface DateDetector {
  /** The line's date, or undefined when no template finds one it can read. */
  find(line: string, now: number): DateHit | undefined;
  readonly name: string;
  /** find()'s usual path for a lane (filter/lane.ts), while there is one; undefined otherwise. */
  lane?(): DateLane | undefined;
  /** Lines each template has won so far, for the templates that won any, in the detector's order. */
  templateHits(): { readonly name: string; readonly hits: number }[];
}

/**
 * find() for a run of lines whose dates the last winning template finds at the line's start, as
 * a lane reads them: find() tries that template first, alone, and takes what it finds.
 */
export interface DateLane {
  /** The template's program, and where its search cuts a line (-1: nowhere). */
  readonly matcher: NativeMatcher;
  readonly reach: number;
  /**
   * The time find() would give a line whose date the template found with these spans (from
   * `at`; `line` from its start to at least the match's end). Changes no state.
   */
  time(line: string, spans: Int32Array, at: number, now: number): number | undefined;
  /**
   * time() for a date in buf's line at `lineStart` that differs from the last one read only in its
   * seconds (seconds-step.ts), without the line as a string; undefined when it does not.
   */
  step(buf: Buffer, lineStart: number, spans: Int32Array, at: number, now: number): number | undefined;
  /**
   * Moves the detector on as find() does for `lines` lines (1 when not given) whose time came out
   * of time(), the last one's date at [start, end).
   */
  won(start: number, end: number, now: number, lines?: number): void;
  /**
   * Lanes whose date lanes have the same matcher, reach and `zone` read every line's date and time
   * alike (group-lane.ts reads them once for all): the zone and TZ the times are read in.
   */
  readonly zone: string;
  /** After a run: the last line won (find() keeps it for the next line's comparisons). */
  finish(lastLine: string): void;
}

interface Entry {
  readonly t: Template;
  // Lines this template won.
  hits: number;
  // Successful searches, won or not (fail2ban counts these on the template itself).
  matched: number;
  // Seconds, of the `now` when it last won.
  lastUsed: number;
  // Where its last winning date started.
  distance: number;
  // Its last search, for the next line (on libre2 only).
  readonly memo: SearchMemo;
  // Its last date read in a lane, for the next one a few seconds on (null: the template has none).
  step: SecondsStep | null | undefined;
}

const FAR = 0x7fffffff;
// fail2ban lets a template that has not won for five minutes be displaced regardless of weight.
const UNUSED_S = 300;
// A letter or digit, as the date search's RE2 reads one: on libre2, or node-re2 without the addon.
let alnum: { test(text: string): boolean } | undefined;
const isAlnum = (c: string) => {
  alnum ??=
    nativeMatcher('^[\\pL\\pN]$') ?? new (requirePackage('re2') as typeof import('re2'))('^[\\pL\\pN]$', 'u');
  return c !== '' && alnum.test(c);
};
const weight = (e: Entry) => (e.hits * e.t.weight) / Math.max(1, e.distance);

export class TemplateDetector implements DateDetector {
  readonly name: string;
  readonly #list: Entry[];
  readonly #zone: Zone;
  readonly #clock = new WallClock();
  // Where the last date started and ended, and its line (for the characters around both ends).
  #startAt = 1;
  #endAt = FAR;
  #dateLine = '';
  #lastIndex = FAR;
  // The last time read, and what it was read from: a repeated date (memo.ts) skips the reading.
  #timeFound: Found | undefined;
  #timeNow = 0;
  #timeTz: string | undefined;
  #time: number | undefined;
  // The line being read, as search() takes it on node-re2 (made when a template needs it).
  #subject: Subject | undefined;
  #firstUnused = 0;

  // process.env.TZ read once, when the caller says it will not change (DetectorOptions.fixedTz).
  readonly #fixedTz: { tz: string | undefined } | undefined;

  constructor(name: string, templates: readonly Template[], zone: Zone, fixedTz = false) {
    this.name = name;
    this.#zone = zone;
    this.#fixedTz = fixedTz ? { tz: WallClock.tz() } : undefined;
    this.#list = templates.map((t) => ({
      t,
      hits: 0,
      matched: 0,
      lastUsed: 0,
      distance: FAR,
      memo: new SearchMemo(),
      step: undefined,
    }));
  }

  find(line: string, now: number): DateHit | undefined {
    this.#subject = undefined;
    const found = this.#match(line, now);
    if (!found) return undefined;
    // What 'local' means for this line, read once (tests change TZ while the process runs).
    const fixed = this.#fixedTz;
    const tz = this.#zone !== 'local' ? undefined : fixed ? fixed.tz : WallClock.tz();
    let time: number | undefined;
    if (found === this.#timeFound && now === this.#timeNow && tz === this.#timeTz) time = this.#time;
    else {
      time = timeOf(this.#list[this.#lastIndex]!.t, found, now, this.#zone, this.#clock, tz);
      this.#timeFound = found;
      this.#timeNow = now;
      this.#timeTz = tz;
      this.#time = time;
    }
    return time === undefined ? undefined : { time, start: found.start, end: found.end };
  }

  templateHits(): { name: string; hits: number }[] {
    return this.#list.filter((e) => e.hits > 0).map((e) => ({ name: e.t.name, hits: e.hits }));
  }

  lane(): DateLane | undefined {
    const i = this.#lastIndex;
    const e = this.#list[i];
    const n = e?.t.native;
    if (!e || !n || !e.t.anchored) return undefined;
    // Local time as find() reads it for each line of the run: TZ cannot change during one.
    const tz = this.#zone !== 'local' ? undefined : this.#fixedTz ? this.#fixedTz.tz : WallClock.tz();
    if (e.step === undefined) e.step = SecondsStep.for(e.t, n) ?? null;
    const step = e.step;
    return {
      matcher: n.re,
      reach: Number.isFinite(e.t.reach) ? e.t.reach : -1,
      time: (line, spans, at, now) => {
        const time = timeOf(e.t, foundIn(n, line, spans, at), now, this.#zone, this.#clock, tz);
        if (time !== undefined) step?.keep(line, spans, at, now, tz, time);
        return time;
      },
      step: step
        ? (buf, lineStart, spans, at, now) => step.step(buf, lineStart, spans, at, now, tz)
        : () => undefined,
      zone: `${this.#zone}|${tz ?? ''}`,
      won: (start, end, now, lines = 1) => {
        // #match's bookkeeping for the last winner winning again (it is not promoted).
        e.matched += lines;
        e.hits += lines;
        e.lastUsed = now / 1000;
        e.distance = start;
        if (this.#firstUnused === i) this.#firstUnused++;
        this.#startAt = start;
        this.#endAt = end;
      },
      finish: (lastLine) => {
        this.#dateLine = lastLine;
        // find()'s cache of the last time read is keyed on a Found the run did not make.
        this.#timeFound = undefined;
      },
    };
  }

  #try(e: Entry, line: string, window?: { start: number; end: number }): Found | undefined {
    const n = e.t.native;
    let f: Found | undefined;
    if (n) f = e.memo.search(e.t, n, line, window);
    else {
      this.#subject ??= new Subject(line);
      f = search(e.t, this.#subject, window);
    }
    if (f) e.matched++;
    return f;
  }

  /** The winning template's date; the winner is then at #lastIndex. */
  #match(line: string, now: number): Found | undefined {
    const list = this.#list;
    let found: Found | undefined;
    let reserve: { found: Found; i: number } | undefined;
    let skip = FAR;
    let i = this.#lastIndex;
    const last = list[i];
    if (last) {
      if (last.t.anchored) {
        found = this.#try(last, line);
        skip = i;
      } else {
        const d = this.#startAt;
        const e = this.#endAt;
        const old = this.#dateLine;
        const first = old.slice(d, d + 1);
        // fail2ban indexes the character before the end, which wraps to the line's last for an empty date at 0.
        const lastChar = old.at(e - 1) ?? '';
        // Same characters around the old extent: look only there, as the line probably has the same layout.
        const sameStart =
          line.slice(d - 1, d) === old.slice(d - 1, d) || (line.slice(d, d + 1) === first && !isAlnum(first));
        const sameEnd =
          line.slice(e, e + 1) === old.slice(e, e + 1) ||
          (line.slice(e - 1, e) === lastChar && !isAlnum(lastChar));
        if (sameStart && sameEnd) {
          found = this.#try(last, line, { start: d, end: e });
        } else {
          found = this.#try(last, line);
          skip = i;
        }
      }
      const moved = found && (found.start !== this.#startAt || found.end !== this.#endAt);
      if (found && moved && list.length > 1 && !last.t.anchored) {
        reserve = { found, i };
        found = undefined;
      }
    }
    if (!found) {
      for (i = 0; i < list.length; i++) {
        if (i === skip) continue;
        const e = list[i]!;
        const f = this.#try(e, line);
        if (!f) continue;
        found = f;
        if (i + 1 >= list.length || e.t.anchored) break;
        if (f.start === 0 && e.hits > 0 && list[i + 1]!.matched === 0) break;
        // A date later in the line than this template's (or the last) usual place may sit in the
        // message body: keep the earliest such candidate and let the other templates try.
        if (f.start > e.distance || f.start > this.#startAt) {
          if (!reserve || f.start < reserve.found.start) reserve = { found: f, i };
          found = undefined;
          continue;
        }
        break;
      }
      if (!found && reserve) ({ found, i } = reserve);
    }
    if (!found) return undefined;
    const winner = list[i]!;
    winner.hits++;
    winner.lastUsed = now / 1000;
    winner.distance = found.start;
    if (this.#firstUnused === i) this.#firstUnused++;
    this.#startAt = found.start;
    this.#endAt = found.end;
    this.#dateLine = line;
    if (i !== 0 && i !== this.#lastIndex) i = this.#promote(i);
    this.#lastIndex = i;
    return found;
  }

  // Moves a winner up: to the first never-won slot or halfway, else one step, if it outweighs that slot.
  #promote(n: number): number {
    const list = this.#list;
    const e = list[n]!;
    const stale = e.lastUsed - UNUSED_S;
    const w = weight(e);
    const beats = (pos: number) => w > weight(list[pos]!) || stale > list[pos]!.lastUsed;
    let pos = this.#firstUnused < n ? this.#firstUnused : n >> 1;
    if (!beats(pos)) {
      if (pos === n - 1) return n;
      pos = n - 1;
      if (!beats(pos)) return n;
    }
    list.splice(n, 1);
    list.splice(pos, 0, e);
    while (this.#firstUnused < list.length && list[this.#firstUnused]!.hits > 0) this.#firstUnused++;
    return pos;
  }
}
