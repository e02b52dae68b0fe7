// Chooses among a list of templates the way fail2ban's DateDetector does, so a log gets the same
// date from the same place: the last winner is tried first (inside its previous extent when the
// neighbouring characters agree), winners bubble up the list, and a line-start match ends the search.

import RE2 from 're2';
import { type Found, Subject, search } from './search.ts';
import type { Template } from './template.ts';
import { timeOf } from './value.ts';
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
}

const FAR = 0x7fffffff;
// fail2ban lets a template that has not won for five minutes be displaced regardless of weight.
const UNUSED_S = 300;
const ALNUM = new RE2('^[\\pL\\pN]$', 'u');
const isAlnum = (c: string) => c !== '' && ALNUM.test(c);
const weight = (e: Entry) => (e.hits * e.t.weight) / Math.max(1, e.distance);

export class TemplateDetector implements DateDetector {
  readonly name: string;
  readonly #list: Entry[];
  readonly #zone: Zone;
  // Where the last date started and ended, with the characters around both ends.
  #start = { at: 1, before: '', first: '' };
  #end = { at: FAR, last: '', after: '' };
  #lastIndex = FAR;
  #firstUnused = 0;

  constructor(name: string, templates: readonly Template[], zone: Zone) {
    this.name = name;
    this.#zone = zone;
    this.#list = templates.map((t) => ({ t, hits: 0, matched: 0, lastUsed: 0, distance: FAR }));
  }

  find(line: string, now: number): DateHit | undefined {
    const won = this.#match(new Subject(line), now);
    if (!won) return undefined;
    const time = timeOf(won.t, won.found, now, this.#zone);
    return time === undefined ? undefined : { time, start: won.found.start, end: won.found.end };
  }

  #try(e: Entry, s: Subject, window?: { start: number; end: number }): Found | undefined {
    const f = search(e.t, s, window);
    if (f) e.matched++;
    return f;
  }

  #match(s: Subject, now: number): { t: Template; found: Found } | undefined {
    const list = this.#list;
    const line = s.line;
    let found: Found | undefined;
    let reserve: { found: Found; i: number } | undefined;
    let skip = FAR;
    let i = this.#lastIndex;
    const last = list[i];
    if (last) {
      if (last.t.anchored) {
        found = this.#try(last, s);
        skip = i;
      } else {
        const { at: d, before, first } = this.#start;
        const { at: e, last: lastChar, after } = this.#end;
        // Same characters around the old extent: look only there, as the line probably has the same layout.
        const sameStart =
          line.slice(d - 1, d) === before || (line.slice(d, d + 1) === first && !isAlnum(first));
        const sameEnd =
          line.slice(e, e + 1) === after || (line.slice(e - 1, e) === lastChar && !isAlnum(lastChar));
        if (sameStart && sameEnd) {
          found = this.#try(last, s, { start: d, end: e });
        } else {
          found = this.#try(last, s);
          skip = i;
        }
      }
      const moved = found && (found.start !== this.#start.at || found.end !== this.#end.at);
      if (found && moved && list.length > 1 && !last.t.anchored) {
        reserve = { found, i };
        found = undefined;
      }
    }
    if (!found) {
      for (i = 0; i < list.length; i++) {
        if (i === skip) continue;
        const e = list[i]!;
        const f = this.#try(e, s);
        if (!f) continue;
        found = f;
        if (i + 1 >= list.length || e.t.anchored) break;
        if (f.start === 0 && e.hits > 0 && list[i + 1]!.matched === 0) break;
        // A date later in the line than this template's (or the last) usual place may sit in the
        // message body: keep the earliest such candidate and let the other templates try.
        if (f.start > e.distance || f.start > this.#start.at) {
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
    const { start, end } = found;
    this.#start = { at: start, before: line.slice(start - 1, start), first: line.slice(start, start + 1) };
    // fail2ban indexes the character before the end, which wraps to the line's last for an empty date at 0.
    this.#end = { at: end, last: line.at(end - 1) ?? '', after: line.slice(end, end + 1) };
    if (i !== 0 && i !== this.#lastIndex) i = this.#promote(i);
    this.#lastIndex = i;
    return { t: winner.t, found };
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
