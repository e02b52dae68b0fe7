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
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyRange } from '../../../src/cli/regex-scan.ts';
import type { Filter, Outcome } from '../../../src/filter/compile.ts';
import { readSamples, stockFilters } from '../../compat/fail2ban-samples.ts';
import { compiledFilter } from '../../support/compiled-filter.ts';
import { REPO } from '../../support/config-dir.ts';
import { fail2banPackage } from '../../support/fail2ban-package.ts';
import { requireNativeRegex } from './native-addon.ts';

const available = requireNativeRegex();
const NOW = Date.UTC(2026, 10, 28);
const dir = mkdtempSync(join(tmpdir(), 'banhammer-lane-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHIPPED = readdirSync(join(REPO, 'filter.d'))
  .filter((f) => f.endsWith('.conf'))
  .map((f) => f.slice(0, -'.conf'.length));

function describeOutcome(r: Outcome): unknown {
  if (r.outcome !== 'matched') return [r.outcome, r.dated];
  const m = r.match;
  return [r.outcome, r.dated, m.pattern, m.address?.text, m.host, m.time, m.fields, m.lines];
}

/** Every line's outcome through classifyRange, lane on or off, and how many lines the lane read. */
function run(filter: Filter, log: string, lane: boolean): { outcomes: unknown[]; laned: number } {
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
    classifyRange(fd, { from: 0, to, last: true }, counted, NOW, (r) => outcomes.push(describeOutcome(r)), {
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

function compareOn(name: string, log: string, dir = REPO, args: Record<string, string> = {}): number {
  const [laneFilter, plainFilter] = [compiledFilter(name, dir, args), compiledFilter(name, dir, args)];
  const laned = run(laneFilter, log, true);
  const plain = run(plainFilter, log, false);
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
  });

  it('reads most lines of an auth.log for sshd in the lane', () => {
    const log = hostileLog();
    expect(compareOn('sshd', log)).toBeGreaterThan(0.99);
  });
});
