import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import { PollingTail } from '../../../src/tail/polling-tail.ts';
import { silentLogger } from '../../support/fakes.ts';
import { dated, datedRange, isoTimeOf, writeLines } from './dated-kit.ts';
import { eventually, fdsInto, sleep } from './fs-kit.ts';

let dir: string;
let tail: PollingTail;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-poll-'));
  tail = new PollingTail(systemClock, silentLogger(), { intervalMs: 20 });
});

afterEach(async () => {
  await tail.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PollingTail', () => {
  it('reads appended lines from the end of a file present at follow()', async () => {
    const file = join(dir, 'auth.log');
    writeFileSync(file, 'old\n');
    const lines: string[] = [];
    const sub = await tail.follow([file], (l) => lines.push(l.text));
    expect(sub.files()).toEqual([file]);
    appendFileSync(file, 'new-1\nnew-2\n');
    await eventually(() => expect(lines).toEqual(['new-1', 'new-2']));
  });

  it('picks up a logpath that appears later, and glob matches, from their start', async () => {
    const file = join(dir, 'later.log');
    const lines: string[] = [];
    const sub = await tail.follow([file, join(dir, 'web-*.log')], (l) => lines.push(l.text));
    expect(sub.files()).toEqual([]);
    writeFileSync(file, 'first\n');
    writeFileSync(join(dir, 'web-1.log'), 'web\n');
    writeFileSync(join(dir, 'other.txt'), 'not mine\n');
    await eventually(() => expect(lines.sort()).toEqual(['first', 'web']));
    expect(sub.files().sort()).toEqual([file, join(dir, 'web-1.log')]);
  });

  it('stops polling and releases its files when the last subscription closes', async () => {
    const file = join(dir, 'a.log');
    writeFileSync(file, '');
    const lines: string[] = [];
    const sub = await tail.follow([file], (l) => lines.push(l.text));
    appendFileSync(file, 'one\n');
    await eventually(() => expect(lines).toEqual(['one']));
    await sub.close();
    expect(fdsInto(dir)).toEqual([]);
    appendFileSync(file, 'two\n');
    await sleep(80);
    expect(lines).toEqual(['one']);
    expect(fdsInto(dir)).toEqual([]);
  });

  it('starts a head file present at follow() at its first line not too old to count', async () => {
    const file = join(dir, 'auth.log');
    const now = Date.now();
    const recent = [dated(now - 60_000), dated(now)];
    writeLines(file, [...datedRange(now - 86_400_000, now - 7_200_000, 10_000), ...recent]);
    const lines: string[] = [];
    const skipOld = { since: now - 600_000, timeOf: isoTimeOf };
    await tail.follow([file], (l) => lines.push(l.text), { fromHead: [file], skipOld });
    expect(lines).toEqual(recent);
  });
});
