// banctl regex reads a large log in parts on worker threads (regex-parts.ts) only where that
// changes nothing: the parts cover the file exactly, cut at line starts, and the output of
// parts equals the output of one pass, line numbers and summary included.

import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRegex } from '../../../src/cli/regex.ts';
import { planParts } from '../../../src/cli/regex-parts.ts';
import { compileFilter } from '../../../src/filter/compile.ts';
import { REPO } from '../../support/config-dir.ts';

const dir = mkdtempSync(join(tmpdir(), 'banhammer-regex-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 20,000 lines of the bench's seeded auth.log, then lines that test the cuts: undated, invalid
// UTF-8, CRLF, an over-long one, and a last line without its newline.
function sampleLog(): string {
  const log = join(dir, 'auth.log');
  execFileSync(process.execPath, [join(REPO, 'bench', 'gen-authlog.mjs'), '20000', log, '7']);
  appendFileSync(log, 'no date here: Failed password for root from 192.0.2.1 port 22 ssh2\n');
  appendFileSync(log, Buffer.from([0x4e, 0x6f, 0x76, 0x20, 0xff, 0xfe, 0x0a]));
  appendFileSync(log, 'Nov 27 10:00:00 h sshd[1]: Failed password for root from 192.0.2.2 port 22 ssh2\r\n');
  appendFileSync(log, `Nov 27 10:00:01 h sshd[1]: Invalid user ${'x'.repeat(200_000)} from 192.0.2.3\n`);
  appendFileSync(log, 'Nov 27 10:00:02 h sshd[1]: Invalid user eve from 192.0.2.4 port 22');
  return log;
}

async function regex(log: string, filter: string, jobs: number): Promise<string[]> {
  const out: string[] = [];
  const code = await runRegex(
    log,
    filter,
    undefined,
    { json: true, confDir: REPO, now: Date.UTC(2026, 10, 28), jobs },
    (t) => out.push(t),
  );
  expect(code).toBe(0);
  return out;
}

describe('banctl regex in parts', () => {
  it('cuts a log into parts that cover it exactly, each starting at a line start', () => {
    const log = sampleLog();
    const bytes = readFileSync(log);
    const fd = openSync(log, 'r');
    try {
      const parts = planParts(fd, statSync(log).size, 5);
      expect(parts).toHaveLength(5);
      expect(parts[0]!.from).toBe(0);
      expect(parts.at(-1)!.to).toBe(bytes.length);
      parts.forEach((p, i) => {
        if (i > 0) {
          expect(p.from).toBe(parts[i - 1]!.to);
          expect(bytes[p.from - 1]).toBe(0x0a);
          expect(p.warm === 0 || bytes[p.warm - 1] === 0x0a).toBe(true);
        }
        expect(p.warm).toBeLessThanOrEqual(p.from);
        expect(p.from).toBeLessThan(p.to);
      });
    } finally {
      closeSync(fd);
    }
  });

  it('never makes an empty part: a log of two lines asked for four parts has two', () => {
    const log = join(dir, 'two.log');
    writeFileSync(log, 'a\nb\n');
    const fd = openSync(log, 'r');
    try {
      expect(planParts(fd, 4, 4).map((p) => [p.from, p.to])).toEqual([
        [0, 2],
        [2, 4],
      ]);
    } finally {
      closeSync(fd);
    }
  });

  it('prints exactly what one pass prints: every failing line, its number, and the summary', async () => {
    const log = sampleLog();
    const one = await regex(log, 'sshd', 1);
    const three = await regex(log, 'sshd', 3);
    expect(JSON.parse(one.at(-1)!).summary.matched).toBeGreaterThan(10_000);
    expect(three).toEqual(one);
  });

  it('reads a log in one pass, whatever --jobs says, for a filter that ties lines together', async () => {
    const filter = join(dir, 'two-lines.conf');
    writeFileSync(filter, '[Definition]\nfailregex = ^login start\\n.* from <HOST>$\nmaxlines = 2\n');
    const log = join(dir, 'pairs.log');
    const pairs = Array.from(
      { length: 3000 },
      (_, i) => `login start\nlogin failed from 192.0.2.${i % 250}\n`,
    );
    writeFileSync(log, pairs.join(''));
    const one = await regex(log, filter, 1);
    expect(JSON.parse(one.at(-1)!).summary.matched).toBe(3000);
    expect(await regex(log, filter, 3)).toEqual(one);
  });

  it('reads a filter with <F-MLFID> sessions or maxlines > 1 in one pass', () => {
    const filter = (pattern: string, maxlines?: number) => {
      const c = compileFilter({
        name: 't',
        failregex: [{ pattern, file: 't', line: 1 }],
        ignoreregex: [],
        ...(maxlines ? { maxlines } : {}),
      });
      if (!('filter' in c)) throw new Error('does not compile');
      return c.filter;
    };
    expect(filter('^fail from <HOST>$').independentLines).toBe(true);
    expect(filter('^<F-MLFID>\\S+</F-MLFID> fail from <HOST>$').independentLines).toBe(false);
    expect(filter('^fail from <HOST>$', 2).independentLines).toBe(false);
  });
});
