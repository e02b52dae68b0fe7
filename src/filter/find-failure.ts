// What a filter does with each line, in order, as fail2ban's Filter does it: cut the date, keep
// the last `maxlines` lines, apply prefregex, then the failregexes (first match wins) and
// ignoreregexes, and tie lines of one session together by <F-MLFID>. The state (buffer, last
// date, sessions) belongs to one filter instance, so every jail compiles its own. A filter of one
// line (maxlines 1) takes the same steps without the buffer's arrays and copies (#findOne).

import type { Address } from '../core/address.ts';
import { setOwn } from '../core/own-key.ts';
import { AddressCache } from './address-cache.ts';
import { BufferedLane } from './buffered-lane.ts';
import type { DateDetector } from './date/index.ts';
import type { MemberLane } from './group-lane.ts';
import { Lane } from './lane.ts';
import { joinLines, lineOf, splitByHit, type TupleLine, textOf, undated } from './line-buffer.ts';
import { IGNORED, MISSED, type Outcome, type OutcomeSink } from './outcome.ts';
import type { Groups, Hit, Pattern } from './pattern.ts';
import { type FailureData, Sessions } from './sessions.ts';
import { SKIPPED, type UseDns } from './tags.ts';

export interface Match {
  /** The failing address; absent when the line named a host (see `host`). */
  readonly address: Address | undefined;
  /** A host name the line gave instead of an address (<HOST> with usedns), to resolve. */
  readonly host: string | undefined;
  /** The failure's time: the line's own date, the journal's, or a recent line's for an undated one. */
  readonly time: number | undefined;
  /** Index of the failregex that matched, for per-pattern statistics. */
  readonly pattern: number;
  /** The <F-…> captures (user, fid, ...) by group name, for actions' tags. */
  readonly fields: Readonly<Record<string, string>>;
  /** The log lines behind this failure, oldest first: one, or several for a multi-line one. */
  readonly lines: readonly string[];
  /** How many `lines` are: a one-line failure's line is the caller's, with no array to make. */
  readonly lineCount: number;
}

export type { Outcome } from './outcome.ts';

export interface FinderParts {
  readonly prefregex: Pattern | undefined;
  readonly failregex: readonly Pattern[];
  readonly ignoreregex: readonly Pattern[];
  readonly detector: DateDetector;
  readonly maxlines: number;
  readonly usedns: UseDns;
}

// fail2ban uses the previous line's date for an undated line only while that date is this recent.
const LAST_DATE_MS = 60_000;

// Groups that are fail2ban's machinery, not values for actions.
const INTERNAL = new Set(['ip4', 'ip6', 'dns', 'host', 'cidr', 'content', 'mlfid', 'nofail', 'mlfgained']);

function fieldsOf(data: FailureData): Record<string, string> {
  const out: Record<string, string> = {};
  // for-in over own keys is Object.entries' order without its [key, value] arrays.
  for (const k in data) {
    if (!Object.hasOwn(data, k)) continue;
    const v = data[k];
    // setOwn: a group named __proto__ is a field like any other.
    if (typeof v === 'string' && !INTERNAL.has(k) && !k.startsWith(SKIPPED)) setOwn(out, k, v);
  }
  return out;
}

const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

// prefregex's groups when there is no prefregex.
const NO_GROUPS: Groups = Object.freeze({});

/**
 * Whether fail2ban checks the ignoreregexes first, on every line, before prefregex and the
 * failregexes: when there are clearly fewer of them than failregexes.
 */
export function ignoresFirst(parts: Pick<FinderParts, 'ignoreregex' | 'failregex'>): boolean {
  const { ignoreregex, failregex } = parts;
  return ignoreregex.length > 0 && ignoreregex.length < failregex.length - 2;
}

/** FailureFinder.#literals: each failregex's literal, or undefined when one cannot rule a line out. */
function bufferLiterals(parts: FinderParts): readonly string[] | undefined {
  const { prefregex, failregex } = parts;
  if (prefregex || ignoresFirst(parts)) return undefined;
  const literals: string[] = [];
  for (const p of failregex) {
    const literal = p.lane?.literal;
    if (!literal || literal.includes('\n')) return undefined;
    literals.push(literal);
  }
  return literals;
}

/** Whether the line's text (pre + post, as joinLines reads it) holds one of the literals. */
function holdsAny(t: TupleLine, literals: readonly string[]): boolean {
  // Most dates start their line: the text is then `post` alone, with no string to build.
  const text = t.pre === '' ? t.post : textOf(t);
  for (const l of literals) if (text.includes(l)) return true;
  return false;
}

/**
 * A Match whose fields and lines are made when first read: `banctl regex` reads neither, and
 * building them was a tenth of its time per failing line. It keeps what they are made from
 * itself: a wrapping object, like an array of one line, was garbage made for every failing line
 * of a ban storm.
 */
class FoundMatch implements Match {
  #fields: Readonly<Record<string, string>> | undefined;
  #lines: readonly string[] | undefined;
  /** What the fields are read from, until they are. */
  #data: FailureData | undefined;
  /** The lines matched, until they are read: one, or several. */
  #matched: TupleLine | readonly TupleLine[] | undefined;

  private constructor(
    readonly address: Address | undefined,
    readonly host: string | undefined,
    readonly time: number | undefined,
    readonly pattern: number,
  ) {}

  /** A match whose fields and lines are read from `data` and `matched` when first asked for. */
  static lazy(
    address: Address | undefined,
    host: string | undefined,
    time: number | undefined,
    pattern: number,
    data: FailureData,
    matched: TupleLine | readonly TupleLine[],
  ): FoundMatch {
    const m = new FoundMatch(address, host, time, pattern);
    m.#data = data;
    m.#matched = matched;
    return m;
  }

  /** A match with its fields and lines read already. */
  static read(
    address: Address | undefined,
    host: string | undefined,
    time: number | undefined,
    pattern: number,
    fields: Readonly<Record<string, string>>,
    lines: readonly string[],
  ): FoundMatch {
    const m = new FoundMatch(address, host, time, pattern);
    m.#fields = fields;
    m.#lines = lines;
    return m;
  }

  get fields(): Readonly<Record<string, string>> {
    this.#fields ??= fieldsOf(this.#data!);
    return this.#fields;
  }

  get lines(): readonly string[] {
    this.#lines ??= asList(this.#matched!).map(lineOf);
    return this.#lines;
  }

  get lineCount(): number {
    if (this.#lines) return this.#lines.length;
    const matched = this.#matched!;
    return isOneLine(matched) ? 1 : matched.length;
  }
}

/** Whether a failure's `matched` is its one line rather than a list of them. */
const isOneLine = (m: TupleLine | readonly TupleLine[]): m is TupleLine => 'pre' in m;
const asList = (m: TupleLine | readonly TupleLine[]): readonly TupleLine[] => (isOneLine(m) ? [m] : m);

export class FailureFinder {
  readonly #p: FinderParts;
  readonly #multi: boolean;
  #buffer: TupleLine[] = [];
  /**
   * The failregexes' literals, when a buffered search can be ruled out line by line (buffered
   * filters without prefregex or first-checked ignoreregex, whose failregexes all have a literal
   * free of newlines); and, for each line in #buffer, whether it holds one. A literal without a
   * newline is in the joined text only inside one line's text, so while no buffered line holds
   * one, no failregex can match: nothing is joined or searched (twenty lines joined and searched
   * at every line was most of a slapd jail's time).
   */
  readonly #literals: readonly string[] | undefined;
  #holds: boolean[] = [];
  /** How many of #holds are true. */
  #holding = 0;
  // The last date read (its time, and its text as line.slice(start, end)), for undated lines.
  #lastTime: number | undefined;
  #lastLine = '';
  #lastStart = 0;
  #lastEnd = 0;
  readonly #sessions = new Sessions();
  readonly #addresses = new AddressCache();
  /** Undefined until first asked for; null for a finder no lane can read for. */
  #lane: Lane | null | undefined;
  #buffered: BufferedLane | null | undefined;

  constructor(parts: FinderParts) {
    this.#p = parts;
    this.#multi = parts.maxlines > 1;
    this.#literals = this.#multi ? bufferLiterals(parts) : undefined;
  }

  /**
   * Processes the next line. `knownTime` is a time the source already knows (a journal entry's):
   * the line is then not searched for a date, as fail2ban's systemd backend does.
   */
  process(line: string, now: number, knownTime?: number): Outcome {
    let tuple: TupleLine;
    let time: number | undefined;
    let dated = true;
    if (knownTime !== undefined) {
      tuple = undated(line);
      time = knownTime;
    } else {
      const hit = this.#p.detector.find(line, now);
      const last = this.#lastTime;
      const recent = last !== undefined && last > now - LAST_DATE_MS;
      if (hit && hit.start === hit.end) {
        // An empty date (a pattern like `^WARNING:()`): the date is optional; the last one or now.
        tuple = recent ? { pre: '', date: this.#lastText(), post: line } : undated(line);
        time = recent ? last : now;
      } else if (hit) {
        // Exactly fail2ban's cut: the whitespace around the date stays (stock filters expect `^\s*`).
        tuple = {
          pre: line.slice(0, hit.start),
          date: line.slice(hit.start, hit.end),
          post: line.slice(hit.end),
        };
        time = hit.time;
        this.#lastTime = time;
        this.#lastLine = line;
        this.#lastStart = hit.start;
        this.#lastEnd = hit.end;
      } else {
        dated = false;
        tuple = recent ? { pre: '', date: this.#lastText(), post: line } : undated(line);
        time = recent ? last : undefined;
      }
    }
    return this.#multi ? this.#findBuffered(tuple, time, dated, now) : this.#findOne(tuple, time, dated, now);
  }

  /**
   * process() for the complete lines of buf[from, to) (each ending in "\n", read as the line
   * splitter cuts them), in one native pass while they keep to the filter's usual path (lane.ts);
   * each line's outcome goes to `each`, in order. Returns where it stopped: `to`, or the start of
   * a line the caller decodes and hands to process() (then calls this again after it).
   * `maxLine`: longer lines (in bytes) are left to the caller.
   */
  readLines(buf: Buffer, from: number, to: number, now: number, maxLine: number, each: OutcomeSink): number {
    const lane = this.lane();
    if (lane) return lane.read(buf, from, to, now, maxLine, each);
    const buffered = this.#bufferedLane();
    return buffered ? buffered.read(buf, from, to, now, maxLine, each) : from;
  }

  /** A multi-line finder's lane (buffered-lane.ts), for one whose failregexes all have literals. */
  #bufferedLane(): BufferedLane | undefined {
    if (this.#buffered === undefined) {
      const literals = this.#literals;
      const finder = this;
      this.#buffered =
        (literals &&
          BufferedLane.for(literals, this.#p.detector, this.#p.maxlines, {
            get holding() {
              return finder.#holding > 0;
            },
            hold: (tuples) => {
              for (const t of tuples) this.#push(t, false);
            },
            find: (tuple, time, now) => this.#findBuffered(tuple, time, true, now),
            dated: this.#dated,
          })) ??
        null;
    }
    return this.#buffered ?? undefined;
  }

  /**
   * What a group lane (group-lane.ts) reads this finder's lines with: its lane, or its buffered
   * lane for a multi-line finder; undefined for a finder that has neither.
   */
  groupLane(): MemberLane | undefined {
    return this.lane() ?? this.#bufferedLane();
  }

  /** The finder's lane (lane.ts), made at the first call; undefined for a finder that has none. */
  lane(): Lane | undefined {
    if (this.#lane === undefined) {
      this.#lane =
        Lane.for(this.#p, {
          failure: (pattern, hit, tuple, time, now, pre) =>
            this.#failure(pattern, hit, pre ?? NO_GROUPS, tuple, time, true, now) ?? MISSED[1]!,
          dated: this.#dated,
        }) ?? null;
    }
    return this.#lane ?? undefined;
  }

  /** A lane's last dated line, kept as process() keeps one for the undated lines after it. */
  readonly #dated = (time: number, line: string, start: number, end: number): void => {
    this.#lastTime = time;
    this.#lastLine = line;
    this.#lastStart = start;
    this.#lastEnd = end;
  };

  #lastText(): string {
    return this.#lastLine.slice(this.#lastStart, this.#lastEnd);
  }

  /** A line into the buffer (which keeps the last maxlines), with whether it holds a literal. */
  #push(tuple: TupleLine, holds: boolean): void {
    this.#buffer.push(tuple);
    if (this.#literals) {
      this.#holds.push(holds);
      if (holds) this.#holding++;
    }
    if (this.#buffer.length > this.#p.maxlines) {
      this.#buffer.splice(0, this.#buffer.length - this.#p.maxlines);
      if (this.#literals)
        for (const gone of this.#holds.splice(0, this.#holds.length - this.#p.maxlines))
          if (gone) this.#holding--;
    }
  }

  /** fail2ban's findFailure with a buffer of the last maxlines lines. */
  #findBuffered(tuple: TupleLine, time: number | undefined, dated: boolean, now: number): Outcome {
    const { prefregex, failregex, ignoreregex } = this.#p;
    const missed = MISSED[Number(dated)]!;
    const ignored = IGNORED[Number(dated)]!;
    const literals = this.#literals;
    this.#push(tuple, literals !== undefined && holdsAny(tuple, literals));
    if (literals && this.#holding === 0) return missed;
    const original = this.#buffer;
    let text = joinLines(original);
    if (ignoresFirst(this.#p) && ignoreregex.some((ig) => ig.search(text))) return ignored;
    let pre: Groups = {};
    if (prefregex) {
      const hit = prefregex.search(text);
      if (!hit) return missed;
      const { content, ...rest } = hit.groups;
      pre = rest;
      if (content) {
        this.#buffer = [undated(content)];
        text = joinLines(this.#buffer);
      }
    }
    for (let i = 0; i < failregex.length; i++) {
      const hit = failregex[i]!.search(text);
      if (!hit) continue;
      const { matched, unmatched } = splitByHit(text, hit, original);
      this.#buffer = unmatched;
      if (literals) {
        this.#holds = unmatched.map((t) => holdsAny(t, literals));
        this.#holding = this.#holds.filter(Boolean).length;
      }
      if (ignoreregex.length > 0 && this.#ignores(matched)) return ignored;
      return this.#failure(i, hit, pre, matched, time, dated, now) ?? missed;
    }
    return missed;
  }

  /**
   * #findBuffered for one line (maxlines 1), without the buffer: the same steps on `[tuple]`, whose join
   * is the line's text, and which a hit always matches whole (splitByHit of one line).
   */
  #findOne(tuple: TupleLine, time: number | undefined, dated: boolean, now: number): Outcome {
    const { prefregex, failregex, ignoreregex } = this.#p;
    const missed = MISSED[Number(dated)]!;
    const ignored = IGNORED[Number(dated)]!;
    let text = tuple.pre + tuple.post;
    if (ignoresFirst(this.#p) && ignoreregex.some((ig) => ig.search(text))) return ignored;
    let pre: Groups = NO_GROUPS;
    if (prefregex) {
      const hit = prefregex.search(text);
      if (!hit) return missed;
      const { content, ...rest } = hit.groups;
      pre = rest;
      if (content) text = content;
    }
    for (let i = 0; i < failregex.length; i++) {
      const hit = failregex[i]!.search(text);
      if (!hit) continue;
      if (ignoreregex.length > 0 && ignoreregex.some((ig) => ig.search(text))) return ignored;
      return this.#failure(i, hit, pre, tuple, time, dated, now) ?? missed;
    }
    return missed;
  }

  /** ignoreregex on what the failregex matched: the matched lines of the buffer. */
  #ignores(matched: readonly TupleLine[]): boolean {
    const searched = joinLines(matched);
    return this.#p.ignoreregex.some((ig) => ig.search(searched));
  }

  /** `matched`: the line, or the lines, the failure was read from. */
  #failure(
    pattern: number,
    hit: Hit,
    pre: Groups,
    matched: TupleLine | readonly TupleLine[],
    time: number | undefined,
    dated: boolean,
    now: number,
  ): Outcome | undefined {
    const groups = hit.groups;
    let fail: FailureData;
    if (pre === NO_GROUPS && typeof groups.mlfid !== 'string' && groups.matches === undefined) {
      // No prefregex groups, no session: the groups read as the merged copy below would (whose
      // only other key, matches, is no string), and nothing keeps that copy, so none is made.
      if (truthy(groups.nofail)) return undefined;
      fail = groups as FailureData;
    } else {
      // The failregex's groups override prefregex's, unset ones included (Python's dict.update).
      fail = { ...pre, ...groups };
      const mlfid = fail.mlfid;
      if (typeof mlfid === 'string') {
        fail = this.#sessions.merge(mlfid, fail, asList(matched), now);
        if (truthy(fail.nofail)) return undefined;
      } else {
        // fail2ban checks <F-NOFAIL> only on session lines; a line marked not-a-failure is never
        // counted here, with or without a session (what fail2ban-regex reports too).
        if (truthy(fail.nofail)) return undefined;
        fail.matches = [...(fail.matches ?? []), ...asList(matched)];
      }
    }
    const ip = (fail.ip4 ?? fail.ip6 ?? fail.host) as string | undefined;
    const dns = fail.dns as string | undefined;
    if (ip === undefined && dns === undefined && fail.fid === undefined) {
      // A session line without its address yet: the line that names it completes the failure.
      if (fail !== groups) fail.mlfpending = 1;
      return undefined;
    }
    let address: Address | undefined;
    let host: string | undefined;
    if (ip !== undefined) {
      // An address-shaped capture that is not an address (999.1.1.1) reports nothing.
      address = this.#addresses.parse(ip);
      if (!address) return undefined;
    } else if (dns !== undefined && this.#p.usedns !== 'no') host = dns;
    else {
      // A failure id that is an address is banned as one; any other id has nothing to ban.
      address = this.#addresses.parse(String(fail.fid ?? ''));
      if (!address) return undefined;
    }
    // A session's data is merged into by later lines: its fields and lines are read now. This
    // line's own groups belong to this match alone, so reading them can wait.
    const match =
      fail === groups
        ? FoundMatch.lazy(address, host, time, pattern, fail, matched)
        : FoundMatch.read(address, host, time, pattern, fieldsOf(fail), (fail.matches ?? []).map(lineOf));
    return { outcome: 'matched', dated, match };
  }
}
