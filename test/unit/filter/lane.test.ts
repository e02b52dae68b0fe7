// A lane (src/filter/lane.ts, native/src/re2/lane.cc) reads runs of lines in one native call; it
// must give every line exactly what classify() gives it one line at a time, and leave the filter
// in the state classify() leaves (the last date, the detector's choice of template). Compared
// here over every shipped filter and its samples, and over a log made to leave the lane often:
// invalid dates, a switch of date format, undated, non-ASCII and CRLF lines, an empty line, lines
// longer than the read buffer, chunk boundaries.

import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { classifyRange } from '../../../src/cli/regex-scan.ts';
import type { Filter, Outcome } from '../../../src/filter/compile.ts';
import { SecondsStep } from '../../../src/filter/date/seconds-step.ts';
import { GroupLane } from '../../../src/filter/group-lane.ts';
import { decodeLine } from '../../../src/tail/line-splitter.ts';
import { readSamples, stockFilters } from '../../compat/fail2ban-samples.ts';
import { compiledFilter, ldapFilter, writeFilter } from '../../support/compiled-filter.ts';
import { REPO } from '../../support/config-dir.ts';
import { fail2banPackage } from '../../support/fail2ban-package.ts';
import { requireNativeRegex } from './native-addon.ts';

const available = requireNativeRegex();
const NOW = Date.UTC(2026, 10, 28);
const MAX_LINE = 64 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'banhammer-lane-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHIPPED = readdirSync(join(REPO, 'filter.d'))
  .filter((f) => f.endsWith('.conf'))
  .map((f) => f.slice(0, -'.conf'.length));

function describeOutcome(r: Outcome): unknown {
  if (r.outcome !== 'matched') return [r.outcome, r.dated];
  const m = r.match;
  return [r.outcome, r.dated, m.pattern, m.address?.text, m.host, m.time, m.fields, m.lines, m.lineCount];
}

/** Every line's outcome through classifyRange, lane on or off, and how many lines the lane read. */
function run(filter: Filter, log: string, lane: boolean, now = NOW): { outcomes: unknown[]; laned: number } {
  let laned = 0;
  const counted: Filter = {
    ...filter,
    readLines: (buf, from, to, now, maxLine, each) =>
      filter.readLines(buf, from, to, now, maxLine, (r, start, next) => {
        laned++;
        each(r, start, next);
      }),
  };
  const outcomes: unknown[] = [];
  const fd = openSync(log, 'r');
  try {
    const to = statSync(log).size;
    classifyRange(fd, { from: 0, to, last: true }, counted, now, (r) => outcomes.push(describeOutcome(r)), {
      lane,
    });
  } finally {
    closeSync(fd);
  }
  return { outcomes, laned };
}

// What a filter's state does to the next lines: an undated failure takes the last date's time, and
// a dated one goes through whichever template the detector now tries first.
const AFTER = [
  'h sshd[1]: Failed password for root from 192.0.2.77 port 22 ssh2',
  'Nov 27 23:59:59 host sshd[1]: Failed password for root from 192.0.2.78 port 22 ssh2',
  '2026-11-27T23:59:59.123+01:00 host sshd[1]: Invalid user bob from 192.0.2.79 port 22',
];

function compareOn(
  name: string,
  log: string,
  dir = REPO,
  args: Record<string, string> = {},
  now = NOW,
): number {
  const [laneFilter, plainFilter] = [compiledFilter(name, dir, args), compiledFilter(name, dir, args)];
  const laned = run(laneFilter, log, true, now);
  const plain = run(plainFilter, log, false, now);
  expect(plain.laned).toBe(0);
  expect(laned.outcomes).toEqual(plain.outcomes);
  expect(laneFilter.dateHits()).toEqual(plainFilter.dateHits());
  // Just after the log's last failure, so an undated line takes the last date read.
  const times = plain.outcomes.flatMap((o) =>
    (o as unknown[])[0] === 'matched' ? [(o as unknown[])[5]] : [],
  );
  const after = (times.filter((t): t is number => typeof t === 'number').at(-1) ?? NOW) + 1000;
  for (const line of AFTER)
    expect(describeOutcome(laneFilter.classify(line, after))).toEqual(
      describeOutcome(plainFilter.classify(line, after)),
    );
  expect(laneFilter.dateHits()).toEqual(plainFilter.dateHits());
  return laned.laned / Math.max(1, plain.outcomes.length);
}

/** The bench's seeded auth.log, with lines that leave the lane, some between runs of it. */
function hostileLog(): string {
  const log = join(dir, 'hostile.log');
  execFileSync(process.execPath, [join(REPO, 'bench', 'gen-authlog.mjs'), '6000', log, '11']);
  const failed = (date: string, ip: string) =>
    `${date} h sshd[1]: Failed password for root from ${ip} port 22 ssh2`;
  const lines = [
    failed('Feb 30 10:00:00', '192.0.2.1'), // no valid time: read as undated
    failed('Nov 27 10:00:01', '192.0.2.2'),
    'Failed password for root from 192.0.2.3 port 22 ssh2', // undated: the last date's time
    failed('Nov 27 10:00:02', '192.0.2.4'),
    `${failed('Nov 27 10:00:02', '192.0.2.5')}\r`, // CRLF
    failed('Nov 27 10:00:02', 'é.0.2.6'), // not ASCII
    `Nov 27 10:00:03 h sshd[1]: Failed password for josé from 192.0.2.7 port 22 ssh2`,
    '', // an empty line
    failed('2026-11-27 10:00:04', '192.0.2.8'), // another template wins
    failed('2026-11-27 10:00:04', '192.0.2.9'),
    failed('Nov 27 10:00:05', '192.0.2.10'), // and the first wins back
    failed('Nov 27 10:00:05', '192.0.2.11'),
    `Nov 27 10:00:06 h sshd[1]: Invalid user ${'x'.repeat(1_500_000)} from 192.0.2.12`, // over the read buffer
    failed('Nov 27 10:00:07', '192.0.2.13'),
    failed(' Nov 27 10:00:08', '192.0.2.14'), // a space before the date
    `${failed('Nov 27 10:00:09', '192.0.2.15')} at Nov 27 10:00:10`, // a second date in the text
  ];
  appendFileSync(log, `${lines.join('\n')}\n`);
  // More of the mix after them, ending in a run of the lane (so the state it leaves is compared).
  const more = join(dir, 'more.log');
  execFileSync(process.execPath, [join(REPO, 'bench', 'gen-authlog.mjs'), '9000', more, '12']);
  execFileSync('sh', ['-c', `cat ${more} >> ${log}`]);
  appendFileSync(log, `${failed('Nov 27 10:00:11', '192.0.2.16')}\n`);
  return log;
}

describe.skipIf(!available)('lane', () => {
  it.each(SHIPPED)('gives every line of test/samples/%s.log what classify() gives it', (name) => {
    const log = join(REPO, 'test', 'samples', `${name}.log`);
    compareOn(name, log);
  });

  it('gives every line of a log made to leave the lane what classify() gives it, for every shipped filter', () => {
    const log = hostileLog();
    expect(statSync(log).size).toBeGreaterThan(2.5 * 1024 * 1024); // several reads of the 1 MiB buffer
    for (const name of SHIPPED) compareOn(name, log);
  });

  it('reads a last line without its newline as classify() does', () => {
    const log = join(dir, 'unterminated.log');
    const line = 'Nov 27 10:00:11 h sshd[1]: Failed password for root from 192.0.2.16 port 22 ssh2';
    execFileSync(process.execPath, [join(REPO, 'bench', 'gen-authlog.mjs'), '50', log, '13']);
    appendFileSync(log, line);
    expect(compareOn('sshd', log)).toBeGreaterThan(0.9);
  });

  describe("fail2ban's stock filters (prefregex, ignoreregex) on their samples", () => {
    const pkg = fail2banPackage();
    const names = stockFilters(join(pkg.etc, 'filter.d'));
    const laned = new Map<string, number>();
    it.each(names)('%s', (name) => {
      let cases: ReturnType<typeof readSamples> = [];
      try {
        cases = readSamples(pkg.logs, name);
      } catch {
        return; // no sample log for this filter (the compat table lists them)
      }
      const byVariant = new Map<string, { args: Record<string, string>; lines: string[] }>();
      for (const c of cases) {
        const v = byVariant.get(c.variant.name) ?? { args: { ...c.variant.args }, lines: [] };
        v.lines.push(c.line);
        byVariant.set(c.variant.name, v);
      }
      let i = 0;
      for (const { args, lines } of byVariant.values()) {
        const log = join(dir, `${name}-${i++}.log`);
        writeFileSync(log, `${lines.join('\n')}\n`);
        laned.set(name, (laned.get(name) ?? 0) + compareOn(name, log, pkg.etc, args));
      }
    });
    // fail2ban's sshd: a prefregex, and two failregexes the bounded fallback confirms.
    it.each(['postfix', 'dovecot', 'sshd'])('reads lines of %s (a prefregex) in the lane', (name) => {
      expect(laned.get(name)).toBeGreaterThan(0.3);
    });
    // Multi-line (maxlines > 1) filters whose failregexes have literals: the buffered lane.
    it.each(['slapd', 'mongodb-auth'])('reads lines of %s (maxlines > 1) in a lane', (name) => {
      expect(laned.get(name), String(laned.get(name))).toBeGreaterThan(0.3);
    });
  });

  describe('a date stepped from the last one read, when only its seconds differ', () => {
    const conf = join(dir, 'step-conf');
    /** A filter.d filter `fail from <HOST>` with this datepattern (none: the defaults). */
    function filterWith(name: string, datepattern?: string): string {
      writeFilter(
        conf,
        name,
        `[Definition]\nfailregex = ^\\s*\\S+ fail from <HOST>$\n${datepattern ? `datepattern = ${datepattern}\n` : ''}`,
      );
      return name;
    }
    /** The log's lines, one per date, each failing for the next address. */
    function logOf(name: string, dates: readonly string[]): string {
      const log = join(dir, `${name}.log`);
      writeFileSync(log, dates.map((d, i) => `${d} h fail from 192.0.2.${(i % 250) + 1}`).join('\n') + '\n');
      return log;
    }
    /** compareOn, counting the dates a step gave. */
    function stepped(name: string, log: string, now = NOW): number {
      const spy = vi.spyOn(SecondsStep.prototype, 'step');
      try {
        compareOn(name, log, conf, {}, now);
        return spy.mock.results.filter((r) => typeof r.value === 'number').length;
      } finally {
        spy.mockRestore();
      }
    }
    const seconds = (prefix: string, from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(2, '0')}`);
    const tz = process.env.TZ;
    afterEach(() => {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    });

    it('gives syslog dates, ISO dates with a year and dates with a fraction the times classify() gives', () => {
      const dates = [
        ...seconds('Nov 27 10:00:', 0, 59),
        ...seconds('Nov 27 10:01:', 0, 3),
        'Nov 27 10:01:03', // the same date again
        'Nov 27 10:01:01', // back a little
        ...seconds('Nov 27 10:59:', 57, 59),
        ...seconds('Nov 27 11:00:', 0, 2),
        ...seconds('2026-11-27 10:00:', 0, 20),
        ...seconds('2026-11-27 10:00:', 20, 25).map((d) => `${d}.250`),
        ...seconds('Dec 31 23:59:', 55, 59),
      ];
      const name = filterWith('step-default');
      expect(stepped(name, logOf(name, dates))).toBeGreaterThan(dates.length / 2);
    });

    it('reads the full way a year-less date within a minute of a day past now, where the year flips', () => {
      // A day past now is 29 November 00:00:30: a second later, this year's date is too far ahead
      // and the date is last year's.
      const now = NOW + 30_000;
      const dates = [
        ...seconds('Nov 28 23:58:', 40, 59),
        ...seconds('Nov 28 23:59:', 0, 59),
        ...seconds('Nov 29 00:00:', 0, 59),
        ...seconds('Nov 29 00:01:', 0, 10),
      ];
      const name = filterWith('step-year');
      // The lane's first line (23:58:41) and each new minute are read the full way; the others
      // step up to 23:59:30, a minute before that limit, and none after it.
      expect(stepped(name, logOf(name, dates), now)).toBe(18 + 30);
    });

    it('gives local dates around both daylight-saving changes the times classify() gives', () => {
      process.env.TZ = 'Europe/Berlin'; // read once, when the filter is compiled (fixedTz)
      const dates = [
        ...seconds('Mar 29 01:59:', 55, 59),
        ...seconds('Mar 29 02:00:', 0, 5), // no such local time: 02:00 became 03:00
        ...seconds('Mar 29 02:30:', 10, 12),
        ...seconds('Mar 29 03:00:', 0, 5),
        ...seconds('Oct 25 01:59:', 58, 59),
        ...seconds('Oct 25 02:00:', 0, 5), // twice, an hour apart
        ...seconds('Oct 25 02:59:', 58, 59),
        ...seconds('Oct 25 03:00:', 0, 3),
      ];
      const name = filterWith('step-dst');
      expect(stepped(name, logOf(name, dates))).toBeGreaterThan(20);
    });

    it('never steps a date without a day of its own (time-only, day of the year)', () => {
      const timeOnly = filterWith('step-time', '^%H:%M:%S');
      expect(stepped(timeOnly, logOf(timeOnly, seconds('23:59:', 30, 59)))).toBe(0);
      const julian = filterWith('step-julian', '^%Y %j %H:%M:%S');
      expect(stepped(julian, logOf(julian, seconds('2026 331 10:00:', 0, 30)))).toBe(0);
    });
  });

  describe('a group lane: the same lines through many filters, each date read once', () => {
    /** Each filter's outcomes but misses, by line start, read one line at a time. */
    function alone(filters: Filter[], buf: Buffer): unknown[][] {
      return filters.map((f) => {
        const out: unknown[] = [];
        for (let pos = 0; pos < buf.length; ) {
          const nl = buf.indexOf(0x0a, pos);
          const r = f.classify(decodeLine(buf, pos, nl), NOW);
          if (r.outcome !== 'missed') out.push([pos, describeOutcome(r)]);
          pos = nl + 1;
        }
        return out;
      });
    }

    /**
     * The same through a group lane, as the reader drives one (tail/read-filters.ts): a line the
     * group stops at through each member's classify(); from where the group cannot read, each
     * member's own lane. Also how many lines the group read.
     */
    function together(filters: Filter[], buf: Buffer): { outcomes: unknown[][]; read: number } {
      const group = GroupLane.of(filters.map((f) => f.lane()!))!;
      const outcomes: unknown[][] = filters.map(() => []);
      const sinks = outcomes.map((out) => (r: Outcome, start: number) => {
        if (r.outcome !== 'missed') out.push([start, describeOutcome(r)]);
      });
      let read = 0;
      let pos = 0;
      while (pos < buf.length) {
        const stop = group.read(buf, pos, buf.length, NOW, MAX_LINE, sinks, (_m, err) => {
          throw err;
        });
        if (stop < 0) {
          filters.forEach((f, i) => {
            for (let at = pos; at < buf.length; ) {
              at = f.readLines(buf, at, buf.length, NOW, MAX_LINE, sinks[i]!);
              if (at >= buf.length) break;
              const nl = buf.indexOf(0x0a, at);
              sinks[i]!(f.classify(decodeLine(buf, at, nl), NOW), at);
              at = nl + 1;
            }
          });
          break;
        }
        read += linesIn(buf, pos, stop);
        if (stop >= buf.length) break;
        const nl = buf.indexOf(0x0a, stop);
        const text = decodeLine(buf, stop, nl);
        filters.forEach((f, i) => {
          sinks[i]!(f.classify(text, NOW), stop);
        });
        pos = nl + 1;
      }
      return { outcomes, read };
    }

    const linesIn = (buf: Buffer, from: number, to: number) =>
      buf.subarray(from, to).filter((c) => c === 0x0a).length;

    /**
     * These filters (by default every shipped one), twice over; the group of those with a lane,
     * its outcomes and state against each alone.
     */
    function compareGroup(
      buf: Buffer,
      make: (name: string) => Filter = (n) => compiledFilter(n),
      names = SHIPPED,
    ): { read: number; members: string[] } {
      const grouped = names.map(make);
      const single = names.map(make);
      // The detectors must have won a template for the lanes to exist: the first line, alone.
      const first = decodeLine(buf, 0, buf.indexOf(0x0a));
      for (const f of grouped) f.classify(first, NOW);
      const rest = buf.subarray(buf.indexOf(0x0a) + 1);
      for (const f of single) f.classify(first, NOW);
      // Groups as the reader makes them: by date program, reach and zone.
      const groups = new Map<unknown, Filter[]>();
      for (const f of grouped) {
        const d = f.lane()?.dates();
        if (!d) continue;
        groups.set(d.matcher, [...(groups.get(d.matcher) ?? []), f]);
      }
      const laned = [...groups.values()].filter((g) => g.length > 1);
      const want = alone(single, rest);
      let read = 0;
      const outcomes = new Map<Filter, unknown[]>();
      for (const members of laned) {
        expect(
          new Set(members.map((f) => `${f.lane()!.dates()!.reach}|${f.lane()!.dates()!.zone}`)).size,
        ).toBe(1);
        const got = together(members, rest);
        read = Math.max(read, got.read);
        members.forEach((f, k) => {
          outcomes.set(f, got.outcomes[k]!);
        });
      }
      laned.flat().forEach((f) => {
        const i = grouped.indexOf(f);
        expect(outcomes.get(f), names[i]).toEqual(want[i]);
        expect(f.dateHits(), names[i]).toEqual(single[i]!.dateHits());
        for (const line of AFTER)
          expect(describeOutcome(f.classify(line, NOW + 86_400_000)), names[i]).toEqual(
            describeOutcome(single[i]!.classify(line, NOW + 86_400_000)),
          );
      });
      return {
        read: read / linesIn(rest, 0, rest.length),
        members: laned.flat().map((f) => names[grouped.indexOf(f)]!),
      };
    }

    it("gives each member of a group of every shipped filter what its classify() gives, and leaves it classify()'s state", () => {
      const { read, members } = compareGroup(readFileSync(hostileLog()));
      expect(read).toBeGreaterThan(0.9);
      expect(members).toEqual(expect.arrayContaining(['sshd', 'postfix', 'dovecot']));
    });

    it("gives each of fail2ban's stock filters in a group what its classify() gives (prefregex, confirmed failregexes)", () => {
      const pkg = fail2banPackage();
      const names = stockFilters(join(pkg.etc, 'filter.d')).filter((n) => n !== 'ignorecommands');
      const make = (name: string) => compiledFilter(name, pkg.etc);
      // An auth.log, and the stock samples that carry syslog dates, one after the other.
      const samples = readdirSync(pkg.logs)
        .filter((f) => ['sshd', 'postfix', 'dovecot', 'pam-generic', 'named-refused', 'sieve'].includes(f))
        .map((f) =>
          readFileSync(join(pkg.logs, f), 'latin1')
            .split('\n')
            .filter((l) => /^[A-Z][a-z]{2} [ \d]\d /.test(l)),
        );
      const buf = Buffer.concat([
        readFileSync(hostileLog()).subarray(0, 400_000),
        Buffer.from(`${samples.flat().join('\n')}\n`, 'latin1'),
      ]);
      const clean = Buffer.from(buf.toString('latin1').replace(/\n\n+/g, '\n'), 'latin1');
      const { read, members } = compareGroup(clean, make, names);
      expect(read).toBeGreaterThan(0.5);
      // Stock sshd's failregexes are confirmed by the bounded fallback; postfix and dovecot have prefregexes.
      expect(members).toEqual(expect.arrayContaining(['sshd', 'postfix', 'dovecot', 'pam-generic']));
    });

    it("rules lines out by a member's required alternation and by how an anchored match begins, as each member alone", () => {
      // asterisk's prefregex needs NOTICE, SECURITY or WARNING (its only single literal is "["),
      // and 3proxy's failregex starts with a space, + or -, and four digits (its literal is " "):
      // each runs only where those are, and still finds what it finds alone.
      const pkg = fail2banPackage();
      const make = (name: string) => compiledFilter(name, pkg.etc);
      const ast = (i: number) =>
        `Nov 27 10:${String(i % 60).padStart(2, '0')}:01 pbx asterisk[123]: ${['NOTICE', 'WARNING', 'SECURITY'][Math.floor(i / 3) % 3]}[2134]: chan_sip.c:23150 handle_request_register: Registration from '<sip:100@198.51.100.1>' failed for '198.51.100.${i % 250}:5060' - Wrong password`;
      const proxy = (i: number) =>
        `Nov 27 10:${String(i % 60).padStart(2, '0')}:02 +0300 PROXY.3128 00004 - 198.51.101.${i % 250}:28783 0.0.0.0:0 0 0 0 GET http://example.org/ HTTP/1.1`;
      const near = (i: number) =>
        `Nov 27 10:${String(i % 60).padStart(2, '0')}:03 pbx asterisk[123]: VERBOSE[2134]: [${i}] pbx.c: - Executing +0300 ${i}`;
      for (const [name, line] of [
        ['asterisk', ast(7)],
        ['3proxy', proxy(7)],
      ] as const)
        expect((describeOutcome(make(name).classify(line, NOW)) as unknown[]).slice(0, 4), name).toEqual([
          'matched',
          true,
          0,
          name === 'asterisk' ? '198.51.100.7' : '198.51.101.7',
        ]);
      const lines = Array.from({ length: 600 }, (_, i) => [ast, proxy, near][i % 3]!(i));
      const buf = Buffer.concat([
        readFileSync(hostileLog()).subarray(0, 100_000),
        Buffer.from(`${lines.join('\n')}\n`),
      ]);
      const clean = Buffer.from(buf.toString('latin1').replace(/\n\n+/g, '\n'), 'latin1');
      const { members } = compareGroup(clean, make, ['sshd', 'asterisk', '3proxy']);
      expect(members).toEqual(['sshd', 'asterisk', '3proxy']);
    });

    it('looks for literals in the text the patterns read: a date inside the line joins what is on either side', () => {
      // "[] x: auth failure from " is in the line only once its date is taken out of "[DATE] x: ...".
      const conf = join(dir, 'junction-conf');
      const filter = (regex: string) => `[Definition]\nfailregex = ${regex}\ndatepattern = {^LN-BEG}\n`;
      writeFilter(conf, 'joined', filter(String.raw`^\[\] x: auth failure from <HOST>$`));
      writeFilter(conf, 'other', filter('^ other thing <HOST>$'));
      const lines = Array.from({ length: 300 }, (_, i) => {
        const date = `Nov 27 10:${String(i % 60).padStart(2, '0')}:00`;
        return i % 2 === 0
          ? `[${date}] x: auth failure from 192.0.2.${(i % 250) + 1}`
          : `${date} other thing 198.51.100.${(i % 250) + 1}`;
      });
      const make = (name: string) => compiledFilter(name, conf);
      expect((describeOutcome(make('joined').classify(lines[0]!, NOW)) as unknown[])[0]).toBe('matched');
      const { members, read } = compareGroup(Buffer.from(`${lines.join('\n')}\n`), make, ['joined', 'other']);
      expect(members).toEqual(['joined', 'other']);
      expect(read).toBeGreaterThan(0.9);
    });

    it('reads multi-line filters in the group (their dates from its pass), each as alone, matches across held lines', () => {
      // Two multi-line filters, one whose literal is on the opening line and one whose literal is
      // on the closing line, with sshd: 0 to 4 lines between, held as offsets, or searched while a
      // literal line is buffered; a non-ASCII closing line stops the group there.
      const conf = join(dir, 'group-ldap-conf');
      writeFilter(conf, 'ldap-first', ldapFilter('RESULT err=49'));
      writeFilter(conf, 'ldap-last', ldapFilter('RESULT tag=97 err=49 text=invalid credentials'));
      const at = (i: number) =>
        `Nov 27 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
      const lines: string[] = [];
      let i = 0;
      const other = (k: number) =>
        lines.push(
          k % 2 === 0
            ? `${at(i++)} ldap1 slapd[9]: conn=900 op=1 SRCH base="dc=example"`
            : `${at(i)} ldap1 sshd[7]: Failed password for root from 198.51.100.${(i++ % 250) + 1} port 22 ssh2`,
        );
      for (let round = 0; round < 40; round++) {
        const conn = 100 + round;
        lines.push(`${at(i++)} ldap1 slapd[9]: conn=${conn} ACCEPT from IP=192.0.2.${round + 1}`);
        for (let k = 0; k < round % 5; k++) other(k);
        const host = round === 2 ? 'ldapé' : 'ldap1';
        const close = round % 2 === 0 ? 'RESULT err=49' : 'RESULT tag=97 err=49 text=invalid credentials';
        lines.push(`${at(i++)} ${host} slapd[9]: conn=${conn} ${close}`);
        for (let k = 0; k < 7; k++) other(k);
      }
      const make = (name: string) => (name === 'sshd' ? compiledFilter('sshd') : compiledFilter(name, conf));
      for (const name of ['ldap-first', 'ldap-last']) {
        const alone = make(name);
        const matched = lines.filter(
          (l) => (describeOutcome(alone.classify(l, NOW)) as unknown[])[0] === 'matched',
        );
        expect(matched.length, name).toBeGreaterThan(10);
      }
      const { members, read } = compareGroup(Buffer.from(`${lines.join('\n')}\n`, 'utf8'), make, [
        'sshd',
        'ldap-first',
        'ldap-last',
      ]);
      expect(members.sort()).toEqual(['ldap-first', 'ldap-last', 'sshd']);
      expect(read).toBeGreaterThan(0.5);
    });

    it('finds literals that share their first bytes, end inside a longer one, or end the line', () => {
      // The group's literal set (native/src/re2/literal-set.cc) knows a string by its first four
      // bytes: "root at" and "root atq " share them; "root at" is also inside ": user root atx
      // from "; " zq9", four bytes, ends the line, so it starts at the last place the set reads.
      const conf = join(dir, 'overlap-conf');
      const filters: Record<string, string> = {
        long: '^\\s*\\S+ \\S+: user root atx from <HOST>$',
        inside: '^\\s*\\S+ \\S+: (?:user )?root atx? from <HOST>$',
        after: '^\\s*\\S+ \\S+: .*?root atq <HOST>$',
        last: '^\\s*\\S+ \\S+: \\S+ <HOST> zq9$',
      };
      for (const [name, re] of Object.entries(filters))
        writeFilter(conf, name, `[Definition]\nfailregex = ${re}\n`);
      const tails = [
        (ip: string) => `user root atx from ${ip}`,
        (ip: string) => `user root at from ${ip}`,
        (ip: string) => `root at from ${ip}`,
        (ip: string) => `user root atq ${ip}`,
        (ip: string) => `user roo at from ${ip}`,
        (ip: string) => `end ${ip} zq9`,
        (ip: string) => `end ${ip} zq`,
      ];
      const lines = Array.from({ length: 350 }, (_, i) => {
        const at = `Nov 27 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
        return `${at} h app[1]: ${tails[i % tails.length]!(`192.0.2.${(i % 250) + 1}`)}`;
      });
      const make = (name: string) => compiledFilter(name, conf);
      for (const name of Object.keys(filters)) {
        const alone = make(name);
        const matched = lines.filter(
          (l) => (describeOutcome(alone.classify(l, NOW)) as unknown[])[0] === 'matched',
        );
        expect(matched.length, name).toBeGreaterThan(40);
      }
      const { members, read } = compareGroup(
        Buffer.from(`${lines.join('\n')}\n`),
        make,
        Object.keys(filters),
      );
      expect(members.sort()).toEqual(['after', 'inside', 'last', 'long']);
      expect(read).toBe(1);
    });

    it('reads a log whose date format changes, and back, as each member alone', () => {
      const log = hostileLog();
      const iso = readFileSync(log, 'latin1')
        .split('\n')
        .slice(0, 3000)
        .map((l) => l.replace(/^Nov (\d\d) /, '2026-11-$1 '))
        .join('\n');
      const buf = Buffer.concat([
        readFileSync(log).subarray(0, 200_000),
        Buffer.from(`\n${iso}\n`),
        readFileSync(log),
      ]);
      const text = buf.toString('latin1');
      const clean = Buffer.from(text.replace(/\n\n+/g, '\n'), 'latin1');
      compareGroup(clean);
    });
  });

  it('reads postfix, whose ignoreregex process() checks first, in the lane, ignored lines ignored', () => {
    // The sample's log lines without its comments (undated lines, which leave the lane).
    const log = join(dir, 'postfix-lines.log');
    const sample = readFileSync(join(REPO, 'test', 'samples', 'postfix.log'), 'utf8');
    writeFileSync(
      log,
      `${sample
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .join('\n')}\n`,
    );
    const f = compiledFilter('postfix');
    const ignored = run(f, log, true).outcomes.filter((o) => (o as unknown[])[0] === 'ignored');
    expect(ignored.length).toBeGreaterThan(0);
    expect(compareOn('postfix', log)).toBeGreaterThan(0.8);
  });

  it('gives a line only an ignoreregex checked first matches "ignored", in the lane as by classify()', () => {
    // One ignoreregex, four failregexes: process() checks the ignoreregex first, on every line.
    const conf = join(dir, 'early-conf');
    writeFilter(
      conf,
      'early',
      [
        '[Definition]',
        'failregex = ^\\s*\\S+ one from <HOST>$',
        '            ^\\s*\\S+ two from <HOST>$',
        '            ^\\s*\\S+ three from <HOST>$',
        '            ^\\s*\\S+ four from <HOST>$',
        'ignoreregex = keep out\\b',
        '',
      ].join('\n'),
    );
    const log = join(dir, 'early.log');
    const words = ['one', 'two', 'keep out of', 'three', 'four', 'five'];
    writeFileSync(
      log,
      `${Array.from({ length: 60 }, (_, i) => `Nov 27 10:00:${String(i).padStart(2, '0')} h ${words[i % words.length]} from 192.0.2.${i + 1}`).join('\n')}\n`,
    );
    const ignored = run(compiledFilter('early', conf), log, true).outcomes.filter(
      (o) => (o as unknown[])[0] === 'ignored',
    );
    expect(ignored).toHaveLength(10);
    expect(compareOn('early', log, conf)).toBeGreaterThan(0.9);
  });

  it.each([
    ['its first line', 'ACCEPT from IP=<HOST>', 'RESULT err=49'],
    ['its last line', 'ACCEPT from IP=<HOST>', 'RESULT tag=97 err=49 text=invalid credentials'],
  ])(
    'reads a multi-line filter whose literal is in %s in the buffered lane, as classify() does',
    (_where, open, close) => {
      // The literal checked is the longest every match holds: on the opening line, or on the closing
      // one (then the opening line must come back from the lines held as offsets).
      const conf = join(dir, 'ldap-conf');
      mkdirSync(join(conf, 'filter.d'), { recursive: true });
      writeFileSync(
        join(conf, 'filter.d', 'ldap.conf'),
        [
          '[Definition]',
          `failregex = ^\\s*\\S+ \\S+ conn=(?P<_conn>\\d+) ${open}\\n(?:.*\\n)*?\\s*\\S+ \\S+ conn=(?P=_conn) ${close}$`,
          '[Init]',
          'maxlines = 5',
          '',
        ].join('\n'),
      );
      const at = (i: number) =>
        `Nov 27 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} ldap1`;
      const lines: string[] = [];
      let i = 0;
      const other = () => lines.push(`${at(i++)} slapd[9]: conn=900 op=1 SRCH base="dc=example"`);
      for (let round = 0; round < 40; round++) {
        const conn = 100 + round;
        lines.push(`${at(i++)} slapd[9]: conn=${conn} ${open.replace('<HOST>', `192.0.2.${round + 1}`)}`);
        // 0 to 4 lines between: within maxlines up to 3, the opening line gone from the buffer at 4.
        for (let k = 0; k < round % 5; k++) other();
        // Round 2's closing line is not ASCII: the lane stops there, and classify() reads it with
        // the buffer the lane left, the held opening line in it.
        lines.push(
          `${at(i++).replace('ldap1', round === 2 ? 'ldapé' : 'ldap1')} slapd[9]: conn=${conn} ${close}`,
        );
        for (let k = 0; k < 7; k++) other();
      }
      const log = join(dir, 'ldap.log');
      writeFileSync(log, `${lines.join('\n')}\n`);
      const matched = run(compiledFilter('ldap', conf), log, true).outcomes.filter(
        (o) => (o as unknown[])[0] === 'matched',
      );
      expect(matched).toHaveLength(32);
      expect(compareOn('ldap', log, conf)).toBeGreaterThan(0.9);
    },
  );

  it('reads most lines of an auth.log for sshd in the lane', () => {
    const log = hostileLog();
    expect(compareOn('sshd', log)).toBeGreaterThan(0.99);
  });
});
