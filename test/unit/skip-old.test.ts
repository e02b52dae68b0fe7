import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JailConfig } from '../../src/config/types.ts';
import type { FollowOptions, LogSource } from '../../src/jail/ports.ts';
import { skipOldLines } from '../../src/skip-old.ts';
import { FileTail } from '../../src/tail/file-tail.ts';
import { FakeClock, silentLogger } from '../support/fakes.ts';
import { TEST_FILTER, testJailConfig } from '../support/jail-config.ts';
import { syslogAt } from '../support/syslog.ts';
import { writeLines } from './tail/dated-kit.ts';

const HOUR = 3_600_000;

let dir: string;
let clock: FakeClock;
let tail: FileTail;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-skip-old-'));
  // Whole seconds: syslog dates have no fraction.
  clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
  tail = new FileTail(clock, silentLogger());
});

afterEach(async () => {
  await tail.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a day of lines ending two hours ago, then three of the last five minutes; returns those. */
function writeLog(name: string, stamp: (ms: number) => string): string[] {
  const now = clock.now();
  const line = (t: number) =>
    `${stamp(t)} srv sshd[7]: Failed password for root from 192.0.2.7 port 4000 ssh2`;
  const old: string[] = [];
  for (let t = now - 26 * HOUR; t < now - 2 * HOUR; t += 10_000) old.push(line(t));
  const recent = [now - 300_000, now - 60_000, now].map(line);
  writeLines(join(dir, name), [...old, ...recent]);
  return recent;
}

/** What a jail with `over` reads of `name`, a `head` file seen for the first time. */
async function follow(name: string, over: Partial<JailConfig> = {}): Promise<string[]> {
  const file = join(dir, name);
  const config = testJailConfig({ logpaths: [file], logpathsFromHead: [file], ...over });
  const lines: string[] = [];
  await skipOldLines(clock)(tail, config).follow([file], (l) => lines.push(l.text), { fromHead: [file] });
  return lines;
}

describe('skipOldLines: a head file starts at its first line inside findtime', () => {
  it('reads year-less syslog dates in local time, as the filter does', async () => {
    const recent = writeLog('auth.log', (t) => syslogAt(t));
    expect(await follow('auth.log')).toEqual(recent);
  });

  it('reads dates without a zone in logtimezone', async () => {
    const recent = writeLog('far.log', (t) => syslogAt(t, -600));
    writeLog('wrong.log', (t) => syslogAt(t, -600));
    expect(await follow('far.log', { logtimezone: 'UTC-10' })).toEqual(recent);
    // Read as UTC+10, the recent lines are twenty hours old.
    expect(await follow('wrong.log', { logtimezone: 'UTC+10' })).toEqual([]);
  });

  it("reads dates by the filter's datepattern; with {NONE} every line counts, so none is skipped", async () => {
    const recent = writeLog('epoch.log', (t) => String(t / 1000));
    writeLog('none.log', (t) => String(t / 1000));
    const filter = (datepattern: string) => ({ filter: { ...TEST_FILTER, datepattern } });
    expect(await follow('epoch.log', filter('{^LN-BEG}EPOCH'))).toEqual(recent);
    expect(await follow('none.log', filter('{NONE}'))).toHaveLength(24 * 360 + 3);
  });
});

describe('skipOldLines: what each jail asks of the shared source', () => {
  it('since = now − findtime at subscription; one date reader per set of date rules', async () => {
    const asked: (FollowOptions | undefined)[] = [];
    const source: LogSource = {
      follow: async (_paths, _onLine, options) => {
        asked.push(options);
        return { files: () => [], close: async () => {} };
      },
    };
    const wrap = skipOldLines(clock);
    const now = clock.now();
    await wrap(source, testJailConfig({ findtimeMs: 600_000 })).follow([], () => {}, { fromHead: ['a'] });
    clock.advance(1_000);
    await wrap(source, testJailConfig({ name: 'b', findtimeMs: HOUR })).follow([], () => {});
    await wrap(source, testJailConfig({ logtimezone: 'UTC' })).follow([], () => {});
    const [a, b, utc] = asked;
    expect(a).toMatchObject({ fromHead: ['a'], skipOld: { since: now - 600_000 } });
    expect(b?.skipOld?.since).toBe(now + 1_000 - HOUR);
    expect(b?.skipOld?.timeOf).toBe(a?.skipOld?.timeOf);
    expect(utc?.skipOld?.timeOf).not.toBe(a?.skipOld?.timeOf);
  });
});
