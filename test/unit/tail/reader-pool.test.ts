import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FilePosition } from '../../../src/tail/ports.ts';
import { ReaderPool, SAVE_INTERVAL_MS } from '../../../src/tail/reader-pool.ts';
import { FakeClock, silentLogger } from '../../support/fakes.ts';
import { dated, datedRange, isoTimeOf, writeLines } from './dated-kit.ts';
import { MemoryPositions } from './positions-kit.ts';

let dir: string;
let file: string;
let clock: FakeClock;
let positions: MemoryPositions;
let pool: ReaderPool;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-pool-'));
  file = join(dir, 'app.log');
  clock = new FakeClock();
  positions = new MemoryPositions();
  pool = new ReaderPool({ clock, log: silentLogger(), positions });
});

afterEach(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ReaderPool: positions', () => {
  it('saves at most once per interval, as far as lines were delivered', async () => {
    writeFileSync(file, '');
    const lines: string[] = [];
    await pool.attach(file, (l) => lines.push(l.text), { initial: true, head: false });
    for (const text of ['a\n', 'b\n', 'c\npartial']) {
      appendFileSync(file, text);
      await pool.read(file);
    }
    expect(lines).toEqual(['a', 'b', 'c']);
    expect(positions.batches).toHaveLength(0);
    clock.advance(SAVE_INTERVAL_MS - 1);
    expect(positions.batches).toHaveLength(0);
    clock.advance(1);
    expect(positions.batches).toHaveLength(1);
    expect(positions.files.get(file)).toMatchObject({ offset: 6 });
    // Nothing moved: the next timer writes nothing.
    await pool.read(file);
    clock.advance(SAVE_INTERVAL_MS);
    expect(positions.batches).toHaveLength(1);
  });

  it('saves on close, and the next pool resumes there', async () => {
    writeFileSync(file, 'old\n');
    const first: string[] = [];
    await pool.attach(file, (l) => first.push(l.text), { initial: true, head: false });
    appendFileSync(file, 'seen\n');
    await pool.read(file);
    await pool.close();
    expect(positions.files.get(file)).toMatchObject({ offset: 9 });
    appendFileSync(file, 'while closed\n');
    pool = new ReaderPool({ clock, log: silentLogger(), positions });
    const second: string[] = [];
    await pool.attach(file, (l) => second.push(l.text), { initial: true, head: false });
    expect([first, second]).toEqual([['seen'], ['while closed']]);
  });

  it('stamps lines with the time they were read and the path they came from', async () => {
    writeFileSync(file, '');
    const got: unknown[] = [];
    await pool.attach(file, (l) => got.push(l), { initial: true, head: false });
    appendFileSync(file, 'x\n');
    await pool.read(file);
    expect(got).toEqual([{ text: 'x', source: file, time: clock.now() }]);
  });

  it('tells its reads apart: the lines of one share it, the next read is another', async () => {
    writeFileSync(file, '');
    const got: [string, object | undefined][] = [];
    await pool.attach(file, (l, _match, read) => got.push([l.text, read]), { initial: true, head: false });
    appendFileSync(file, 'a\nb\n');
    await pool.read(file);
    appendFileSync(file, 'c\n');
    await pool.read(file);
    const [a, b, c] = got.map(([, read]) => read);
    expect(got.map(([text]) => text)).toEqual(['a', 'b', 'c']);
    expect(a).toBeTypeOf('object');
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });
});

describe('ReaderPool: paused', () => {
  it('reads nothing until resume(), then the whole backlog for every subscriber', async () => {
    writeFileSync(file, 'a\n');
    positions.files.set(file, await readWhole(file));
    appendFileSync(file, 'b\n');
    pool = new ReaderPool({ clock, log: silentLogger(), positions, paused: true });
    const a: string[] = [];
    const b: string[] = [];
    await pool.attach(file, (l) => a.push(l.text), { initial: true, head: false });
    await pool.read(file);
    await pool.attach(file, (l) => b.push(l.text), { initial: true, head: false });
    expect([a, b]).toEqual([[], []]);
    await pool.resume();
    expect([a, b]).toEqual([['b'], ['b']]);
  });

  it('starts a never-seen file at its start when any subscriber asked for head', async () => {
    writeFileSync(file, 'existing\n');
    pool = new ReaderPool({ clock, log: silentLogger(), paused: true });
    const tail: string[] = [];
    const head: string[] = [];
    await pool.attach(file, (l) => tail.push(l.text), { initial: true, head: false });
    await pool.attach(file, (l) => head.push(l.text), { initial: true, head: true });
    await pool.resume();
    expect([tail, head]).toEqual([['existing'], ['existing']]);
  });
});

describe('ReaderPool: head files skip lines too old to count', () => {
  const NOW = Date.UTC(2026, 0, 15, 12);
  const HOUR = 3_600_000;
  const skipOld = { since: NOW - 600_000, timeOf: isoTimeOf };
  // A day of lines that ends two hours ago, then a few from the last five minutes.
  const old = datedRange(NOW - 26 * HOUR, NOW - 2 * HOUR, 5_000);
  const recent = [dated(NOW - 300_000), dated(NOW - 120_000, 'undated follows'), 'no date', dated(NOW)];

  it('delivers exactly the recent lines of a file seen for the first time', async () => {
    writeLines(file, [...old, ...recent]);
    const lines: string[] = [];
    await pool.attach(file, (l) => lines.push(l.text), { initial: true, head: true, skipOld });
    expect(lines).toEqual(recent);
    appendFileSync(file, 'appended\n');
    await pool.read(file);
    expect(lines.at(-1)).toBe('appended');
  });

  it('takes the earliest start any head subscriber accepts', async () => {
    const starts = writeLines(file, [...old, ...recent]);
    pool = new ReaderPool({ clock, log: silentLogger(), paused: true });
    const got: string[][] = [[], [], []];
    const since = NOW - 3 * HOUR;
    await pool.attach(file, (l) => got[0]!.push(l.text), { initial: true, head: true, skipOld });
    await pool.attach(file, (l) => got[1]!.push(l.text), { initial: true, head: false });
    await pool.attach(file, (l) => got[2]!.push(l.text), {
      initial: true,
      head: true,
      skipOld: { since, timeOf: isoTimeOf },
    });
    await pool.resume();
    // Four hours back: one hour of out-of-order dates allowed for below the earliest `since`.
    const from = old.findIndex((l) => isoTimeOf(l)! >= since - HOUR);
    expect(got[0]).toEqual([...old.slice(from), ...recent]);
    expect(got).toEqual([got[0], got[0], got[0]]);
    expect(starts[from]).toBeGreaterThan(0);
  });

  it('reads the file whole when a head subscriber gives no dates', async () => {
    writeLines(file, [...old, ...recent]);
    pool = new ReaderPool({ clock, log: silentLogger(), paused: true });
    const lines: string[] = [];
    await pool.attach(file, (l) => lines.push(l.text), { initial: true, head: true, skipOld });
    await pool.attach(file, () => {}, { initial: true, head: true });
    await pool.resume();
    expect(lines).toHaveLength(old.length + recent.length);
  });

  it('reads whole a file that appears later or replaces the first, and resumes a stored one', async () => {
    const lines: string[] = [];
    await pool.attach(file, (l) => lines.push(l.text), { initial: true, head: true, skipOld });
    writeLines(file, [...old, ...recent]);
    await pool.read(file);
    expect(lines).toHaveLength(old.length + recent.length);
    renameSync(file, `${file}.1`);
    writeLines(file, old);
    await pool.read(file);
    expect(lines).toHaveLength(2 * old.length + recent.length);
    await pool.close();
    appendFileSync(file, `${old.join('\n')}\n`);
    pool = new ReaderPool({ clock, log: silentLogger(), positions });
    const resumed: string[] = [];
    await pool.attach(file, (l) => resumed.push(l.text), { initial: true, head: true, skipOld });
    expect(resumed).toEqual(old);
  });
});

/** Where a reader that read `path` whole stopped: its identity, offset at its end. */
async function readWhole(path: string): Promise<FilePosition> {
  const store = new MemoryPositions();
  const probe = new ReaderPool({ clock, log: silentLogger(), positions: store });
  await probe.attach(path, () => {}, { initial: false, head: true });
  await probe.close();
  return store.files.get(path)!;
}
