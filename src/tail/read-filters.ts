// A run of a file's complete lines through its subscribers' filters (ReaderPool). Filters whose
// lanes read dates alike go through one group lane (filter/group-lane.ts), which reads each line's
// date once for all of them; the others, one filter at a time, through readRun. Each filter sees
// every line in order either way, and gives each the outcome its classify() would.

import type { Filter, Match } from '../filter/compile.ts';
import { GroupLane } from '../filter/group-lane.ts';
import type { OutcomeSink } from '../filter/outcome.ts';
import { decodeLine } from './line-splitter.ts';

/** Complete lines buf[from, to); lines over maxLine bytes are dropped, as the splitter drops them. */
export interface Run {
  readonly buf: Buffer;
  readonly from: number;
  readonly to: number;
  readonly maxLine: number;
}

/** Where a filter's matches go: the line's start, the next line's, the match, its text if decoded. */
export type Matched = (start: number, next: number, match: Match, text: string | undefined) => void;

// Group lanes kept for this many member lists at most (a reload makes new filters).
const MAX_GROUPS = 64;

/** The group lanes of one file's filters, kept from run to run. */
export class FilterGroups {
  readonly #groups = new Map<string, GroupLane | null>();
  readonly #ids = new WeakMap<Filter, number>();
  #nextId = 0;

  /**
   * Every line of the run through every filter, each match to `matched(filter)` as it is found:
   * each filter's in line order, different filters' interleaved (a group hands a multi-line
   * member's lines over at its next literal line, other members' before them). Returns the lines
   * dropped for their length. A filter that throws costs the line it threw on (`failed`).
   */
  read(
    filters: readonly Filter[],
    run: Run,
    now: number,
    matched: (f: Filter) => Matched,
    failed: (err: unknown) => void,
  ): number {
    // By date program, then reach and zone: the members of a group read dates alike.
    const alike = new Map<unknown, Map<string, Filter[]>>();
    const alone: Filter[] = [];
    for (const f of filters) {
      const dates = f.lane()?.dates();
      if (!dates) {
        alone.push(f);
        continue;
      }
      const byProgram = alike.get(dates.matcher) ?? new Map<string, Filter[]>();
      alike.set(dates.matcher, byProgram);
      const key = `${dates.reach}|${dates.zone}`;
      const members = byProgram.get(key);
      if (members) members.push(f);
      else byProgram.set(key, [f]);
    }
    let dropped = 0;
    for (const byProgram of alike.values())
      for (const members of byProgram.values()) {
        const group = members.length > 1 ? this.#group(members) : undefined;
        if (group) dropped = readGroup(group, members, run, now, matched, failed);
        else alone.push(...members);
      }
    for (const f of alone) dropped = readRun(f, run, now, matched(f), failed);
    return dropped;
  }

  #group(members: readonly Filter[]): GroupLane | undefined {
    const key = members.map((f) => this.#id(f)).join(',');
    let group = this.#groups.get(key);
    if (group === undefined) {
      if (this.#groups.size >= MAX_GROUPS) this.#groups.clear();
      group = GroupLane.of(members.map((f) => f.lane()!)) ?? null;
      this.#groups.set(key, group);
    }
    return group ?? undefined;
  }

  #id(f: Filter): number {
    let id = this.#ids.get(f);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(f, id);
    }
    return id;
  }
}

/**
 * The run through a group's members together, a line the group stops at through each member's
 * classify(); from where the group can read nothing (the members' dates no longer alike, or the
 * lane throws), each member on its own (readRun). Returns the lines dropped for their length.
 */
function readGroup(
  group: GroupLane,
  members: readonly Filter[],
  run: Run,
  now: number,
  matched: (f: Filter) => Matched,
  failed: (err: unknown) => void,
): number {
  const { buf, from, to, maxLine } = run;
  const outs = members.map(matched);
  const sinks = outs.map(
    (out): OutcomeSink =>
      (r, start, next, text) => {
        if (r.outcome === 'matched') out(start, next, r.match, text);
      },
  );
  let dropped = 0;
  let pos = from;
  while (pos < to) {
    let stop = -1;
    try {
      stop = group.read(buf, pos, to, now, maxLine, sinks, (_member, err) => failed(err));
    } catch (err) {
      // The native scan refused its arguments (a bug): at its first call, since arguments that
      // pass once pass again, so before anything was delivered.
      failed(err);
    }
    if (stop >= to) break;
    if (stop < 0) {
      // Nothing read together: the members go on alone.
      let alone = 0;
      for (let i = 0; i < members.length; i++)
        alone = readRun(members[i]!, { buf, from: pos, to, maxLine }, now, outs[i]!, failed);
      return dropped + alone;
    }
    // A line off the path: each member reads it as its own lane would leave it to classify().
    const nl = buf.indexOf(0x0a, stop);
    if (nl - stop > maxLine) dropped++;
    else {
      const text = decodeLine(buf, stop, nl);
      for (let i = 0; i < members.length; i++)
        classifyOne(members[i]!, text, stop, nl + 1, now, outs[i]!, failed);
    }
    pos = nl + 1;
  }
  return dropped;
}

function classifyOne(
  f: Filter,
  text: string,
  start: number,
  next: number,
  now: number,
  out: Matched,
  failed: (err: unknown) => void,
): void {
  let r: ReturnType<Filter['classify']> | undefined;
  try {
    r = f.classify(text, now);
  } catch (err) {
    failed(err);
  }
  if (r?.outcome === 'matched') out(start, next, r.match, text);
}

/**
 * Every line of a run through `f`, in order: runs of them in one pass (Filter.readLines), the
 * others decoded and classified one by one. Each line `f` matched goes to `matched` (with its text
 * when it was decoded here). Returns the lines dropped for their length. A filter that throws (a
 * bug, never a line's fault) costs the line it threw on, reported to `failed`, never the others:
 * the run goes on line by line after it.
 */
export function readRun(
  f: Filter,
  run: Run,
  now: number,
  matched: Matched,
  failed: (err: unknown) => void,
): number {
  const { buf, from, to, maxLine } = run;
  let dropped = 0;
  let pos = from;
  let lane = true;
  while (pos < to) {
    if (lane) {
      // How far the lane got: a throw leaves the rest of the run to the one-by-one path.
      let reached = pos;
      try {
        pos = f.readLines(buf, pos, to, now, maxLine, (r, start, next, text) => {
          reached = next;
          if (r.outcome === 'matched') matched(start, next, r.match, text);
        });
      } catch (err) {
        failed(err);
        lane = false;
        pos = reached;
      }
      if (pos >= to) break;
    }
    const nl = buf.indexOf(0x0a, pos);
    if (nl - pos > maxLine) dropped++;
    else classifyOne(f, decodeLine(buf, pos, nl), pos, nl + 1, now, matched, failed);
    pos = nl + 1;
  }
  return dropped;
}
