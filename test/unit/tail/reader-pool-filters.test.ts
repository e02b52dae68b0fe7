// Subscribers that give the pool their filter (FollowOptions.filter) get runs of lines read
// through it in one pass (Filter.readLines): each must get exactly the lines its filter matches,
// in order, with the match classify() gives line by line; subscribers sharing a filter instance
// share the pass, and filters that read dates alike share a group lane's. A subscriber without a filter still gets every line, unmatched.

import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Filter, Match } from '../../../src/filter/compile.ts';
import { GroupLane } from '../../../src/filter/group-lane.ts';
import { LineSplitter } from '../../../src/tail/line-splitter.ts';
import { ReaderPool } from '../../../src/tail/reader-pool.ts';
import { compiledFilter, ldapFilter, writeFilter } from '../../support/compiled-filter.ts';
import { REPO } from '../../support/config-dir.ts';
import { captureLogger, FakeClock, silentLogger } from '../../support/fakes.ts';

const NOW = Date.UTC(2026, 10, 28);
let dir: string;
let file: string;
let pool: ReaderPool;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-pool-filters-'));
  file = join(dir, 'auth.log');
  pool = new ReaderPool({ clock: new FakeClock(NOW), log: silentLogger() });
});

afterEach(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const describeMatch = (m: Match | undefined) =>
  m && [m.pattern, m.address?.text, m.host, m.time, m.fields, m.lines];

/** The file's lines as the splitter cuts them (64 KiB cap), then what a fresh `name` filter matches of them. */
function expected(name: string, args: Record<string, string> = {}, conf = REPO): unknown[] {
  const lines: string[] = [];
  new LineSplitter().push(readFileSync(file), (l) => lines.push(l));
  const f = compiledFilter(name, conf, args);
  return lines.flatMap((text) => {
    const m = f.match(text, NOW);
    return m ? [[text, describeMatch(m)]] : [];
  });
}

/** Writes the bench's auth.log mix with lines that leave the lane, in pieces cut mid-line. */
async function writeInPieces(read: () => Promise<void>): Promise<void> {
  const mix = join(dir, 'mix.log');
  execFileSync(process.execPath, [join(REPO, 'bench', 'gen-authlog.mjs'), '3000', mix, '5']);
  const special = [
    'Nov 27 10:00:01 h sshd[1]: Failed password for josé from 192.0.2.1 port 22 ssh2',
    'Nov 27 10:00:02 h sshd[1]: Failed password for root from 192.0.2.2 port 22 ssh2\r',
    'h sshd[1]: Failed password for root from 192.0.2.3 port 22 ssh2',
    `Nov 27 10:00:03 h sshd[1]: Invalid user ${'x'.repeat(70_000)} from 192.0.2.4`,
    'Feb 30 10:00:04 h sshd[1]: Failed password for root from 192.0.2.5 port 22 ssh2',
  ].join('\n');
  const text = Buffer.concat([
    readFileSync(mix),
    Buffer.from(`${special}\n`),
    readFileSync(mix).subarray(0, 5000),
  ]);
  for (const [from, to] of [
    [0, 100_000],
    [100_000, 250_007],
    [250_007, text.length],
  ] as const) {
    appendFileSync(file, text.subarray(from, to));
    await read();
  }
}

describe('ReaderPool: subscribers with filters', () => {
  it('hands each subscriber the lines its filter matches, with the match, in order', async () => {
    appendFileSync(file, '');
    const shared = compiledFilter('sshd');
    const other = compiledFilter('sshd');
    // The two filters read their dates alike: one group lane reads most lines for both.
    const grouped = vi.spyOn(GroupLane.prototype, 'read');
    const got = { a1: [] as unknown[], a2: [] as unknown[], b: [] as unknown[] };
    const take = (into: unknown[]) => (line: { text: string }, match?: Match) =>
      into.push([line.text, describeMatch(match)]);
    await pool.attach(file, take(got.a1), { initial: true, head: false, filter: shared });
    await pool.attach(file, take(got.a2), { initial: true, head: false, filter: shared });
    await pool.attach(file, take(got.b), { initial: true, head: false, filter: other });
    await writeInPieces(() => pool.read(file));
    const want = expected('sshd');
    expect(want.length).toBeGreaterThan(1000);
    expect(got.a1).toEqual(want);
    expect(got.a2).toEqual(want);
    expect(got.b).toEqual(want);
    expect(
      grouped.mock.results.filter((r) => typeof r.value === 'number' && r.value > 0).length,
    ).toBeGreaterThan(2);
    grouped.mockRestore();
  });

  it("hands each subscriber its own filter's lines where the filters match different lines", async () => {
    appendFileSync(file, '');
    // sshd's ddos mode matches what normal matches and more: lines one filter matched, and both.
    const got = { normal: [] as unknown[], ddos: [] as unknown[] };
    const take = (into: unknown[]) => (line: { text: string }, match?: Match) =>
      into.push([line.text, describeMatch(match)]);
    await pool.attach(file, take(got.normal), { initial: true, head: false, filter: compiledFilter('sshd') });
    await pool.attach(file, take(got.ddos), {
      initial: true,
      head: false,
      filter: compiledFilter('sshd', REPO, { mode: 'ddos' }),
    });
    const ddosOnly = Array.from(
      { length: 50 },
      (_, i) =>
        `Nov 27 10:01:${String(i % 60).padStart(2, '0')} h sshd[1]: Connection closed by 192.0.2.${i + 1} port 22 [preauth]`,
    );
    await writeInPieces(() => pool.read(file));
    appendFileSync(file, `${ddosOnly.join('\n')}\n`);
    await pool.read(file);
    const normal = expected('sshd');
    const ddos = expected('sshd', { mode: 'ddos' });
    expect(ddos.length).toBeGreaterThan(normal.length + 40);
    expect(got.normal).toEqual(normal);
    expect(got.ddos).toEqual(ddos);
  });

  it("hands a multi-line filter's lines, found at its next literal line, in order beside sshd's", async () => {
    appendFileSync(file, '');
    // A multi-line filter (maxlines 5) reading the lines between its literal lines from the group's
    // pass: its matches come late, after sshd's of later lines; each subscriber's stay in order.
    const conf = join(dir, 'conf');
    writeFilter(conf, 'ldap', ldapFilter('RESULT err=49'));
    const at = (i: number) =>
      `Nov 27 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    const lines: string[] = [];
    let i = 0;
    for (let round = 0; round < 60; round++) {
      lines.push(`${at(i++)} h slapd[9]: conn=${round} ACCEPT from IP=192.0.2.${round + 1}`);
      for (let k = 0; k < round % 4; k++)
        lines.push(
          `${at(i++)} h sshd[7]: Failed password for root from 198.51.100.${(k % 250) + 1} port 22 ssh2`,
        );
      lines.push(`${at(i++)} h slapd[9]: conn=${round} RESULT err=49`);
    }
    const got = { sshd: [] as unknown[], ldap: [] as unknown[] };
    // Every delivery's line number, in the order they came.
    const order: number[] = [];
    const take = (into: unknown[]) => (line: { text: string }, match?: Match) => {
      into.push([line.text, describeMatch(match)]);
      order.push(lines.indexOf(line.text));
    };
    await pool.attach(file, take(got.sshd), { initial: true, head: false, filter: compiledFilter('sshd') });
    await pool.attach(file, take(got.ldap), {
      initial: true,
      head: false,
      filter: compiledFilter('ldap', conf),
    });
    // A first read settles each filter's date template; the group reads the second.
    appendFileSync(file, `${lines.slice(0, 4).join('\n')}\n`);
    await pool.read(file);
    const grouped = vi.spyOn(GroupLane.prototype, 'read');
    appendFileSync(file, `${lines.slice(4).join('\n')}\n`);
    await pool.read(file);
    expect(grouped).toHaveBeenCalled();
    grouped.mockRestore();
    const ldap = expected('ldap', {}, conf);
    expect(ldap.length).toBeGreaterThan(50);
    expect(got.sshd).toEqual(expected('sshd'));
    expect(got.ldap).toEqual(ldap);
    // The late ones: a line delivered after a later line.
    expect(order.some((n, k) => k > 0 && n < order[k - 1]!)).toBe(true);
  });

  it('counts a line over 64 KiB in a run as dropped, and reports it', async () => {
    const { log, records } = captureLogger('warn');
    const counted = new ReaderPool({ clock: new FakeClock(NOW), log });
    try {
      appendFileSync(file, '');
      const got: string[] = [];
      await counted.attach(file, (l) => got.push(l.text), {
        initial: true,
        head: false,
        filter: compiledFilter('sshd'),
      });
      const failed = (ip: string) =>
        `Nov 27 10:00:01 h sshd[1]: Failed password for root from ${ip} port 22 ssh2`;
      // 80 KB of lines first: the over-long one then sits whole inside the second, larger read,
      // so the run drops it (not the splitter, as a held-back part).
      const before = Array.from({ length: 1000 }, () => failed('192.0.2.1'));
      const long = failed(`192.0.2.2 ${'x'.repeat(70_000)}`);
      appendFileSync(file, `${before.join('\n')}\n${long}\n${failed('192.0.2.3')}\n`);
      await counted.read(file);
      expect(got).toEqual([...before, failed('192.0.2.3')]);
      expect(records.filter((r) => /over-long/.test(String(r.msg))).map((r) => r.lines)).toEqual([1]);
    } finally {
      await counted.close();
    }
  });

  it('skips only the line a filter throws on, and reports it', async () => {
    const { log, records } = captureLogger('error');
    const guarded = new ReaderPool({ clock: new FakeClock(NOW), log });
    try {
      appendFileSync(file, '');
      const base = compiledFilter('sshd');
      // A lane that throws at the first line of every run, and a classify() that throws on BOOM.
      let runs = 0;
      const buggy: Filter = {
        ...base,
        readLines: (buf, from, to, now, maxLine, each) => {
          let first = true;
          return base.readLines(buf, from, to, now, maxLine, (r, start, next, text) => {
            if (first && runs++ >= 0) throw new Error('lane bug');
            first = false;
            each(r, start, next, text);
          });
        },
        classify: (text, now) => {
          if (text.includes('BOOM')) throw new Error('filter bug');
          return base.classify(text, now);
        },
      };
      const got: string[] = [];
      await guarded.attach(file, (l) => got.push(l.text), { initial: true, head: false, filter: buggy });
      const line = (i: number) =>
        `Nov 27 10:00:${String(i % 60).padStart(2, '0')} h sshd[1]: Failed password for ${i % 7 === 3 ? 'BOOM' : 'root'} from 192.0.2.${i % 250} port 22 ssh2`;
      const lines = Array.from({ length: 300 }, (_, i) => line(i));
      appendFileSync(file, `${lines.join('\n')}\n`);
      await guarded.read(file);
      expect(runs).toBeGreaterThan(0);
      expect(got).toEqual(lines.filter((l) => !l.includes('BOOM')));
      expect(records.map((r) => r.msg)).toEqual(['A filter failed on a log line; the line was skipped.']);
    } finally {
      await guarded.close();
    }
  });

  it('hands every line, unmatched, to everyone while a subscriber has no filter', async () => {
    appendFileSync(file, '');
    const withFilter: unknown[] = [];
    const without: string[] = [];
    await pool.attach(file, (l, m) => withFilter.push([l.text, m]), {
      initial: true,
      head: false,
      filter: compiledFilter('sshd'),
    });
    await pool.attach(file, (l) => without.push(l.text), { initial: true, head: false });
    await writeInPieces(() => pool.read(file));
    const lines: string[] = [];
    new LineSplitter().push(readFileSync(file), (l) => lines.push(l));
    expect(without).toEqual(lines);
    expect(withFilter).toEqual(lines.map((l) => [l, undefined]));
  });
});
