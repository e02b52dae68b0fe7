import { spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import type { Line } from '../../../src/core/types.ts';
import type { Subscription } from '../../../src/jail/ports.ts';
import { FileTail } from '../../../src/tail/file-tail.ts';
import { REPO } from '../../support/config-dir.ts';
import { eventually, fdsInto, sleep } from './fs-kit.ts';

const log = pino({ level: 'silent' });
const watchHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
/** Lets handles closed by an earlier test finish closing (libuv closes them a loop turn later). */
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((ok) => setImmediate(ok));
};

let dir: string;
let tail: FileTail;

/** Follows `paths` and collects each delivered line's text. */
async function collect(paths: string[]): Promise<{ lines: string[]; got: Line[]; sub: Subscription }> {
  const got: Line[] = [];
  const lines: string[] = [];
  const sub = await tail.follow(paths, (line) => {
    got.push(line);
    lines.push(line.text);
  });
  return { lines, got, sub };
}

/** Appends `marker` to `file` and waits for `lines` to equal `expected` followed by it. */
async function settle(file: string, lines: string[], expected: string[], marker = 'marker'): Promise<void> {
  appendFileSync(file, `${marker}\n`);
  await eventually(() => expect(lines).toEqual([...expected, marker]));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-tail-'));
  tail = new FileTail(systemClock, log);
});

afterEach(async () => {
  await tail.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('FileTail', () => {
  it('reads a file present at follow() from its end, each appended line once and in order', async () => {
    const file = join(dir, 'auth.log');
    writeFileSync(file, 'old-1\nold-2\n');
    const { lines, got } = await collect([file]);
    for (const n of [1, 2, 3]) appendFileSync(file, `new-${n}\n`);
    await eventually(() => expect(lines).toEqual(['new-1', 'new-2', 'new-3']));
    await settle(file, lines, ['new-1', 'new-2', 'new-3']);
    expect(got[0]?.source).toBe(file);
    expect(typeof got[0]?.time).toBe('number');
  });

  it('delivers a burst of 1,000 separate appends completely and in order', async () => {
    const file = join(dir, 'burst.log');
    writeFileSync(file, '');
    const { lines } = await collect([file]);
    const expected = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    const fh = await open(file, 'a');
    try {
      // One write call per line, yielding between them so the watcher sees them spread out.
      for (const text of expected) await fh.write(`${text}\n`);
    } finally {
      await fh.close();
    }
    // No marker before this check: the last lines must arrive without a later write.
    await eventually(() => expect(lines).toEqual(expected));
    await settle(file, lines, expected);
  });

  it('reads lines that end inside a throttled change window, with no later write', async () => {
    const file = join(dir, 'paced.log');
    writeFileSync(file, '');
    const { lines } = await collect([file]);
    // Spacing straddles chokidar's 50 ms change throttle, so some bursts end in a dropped event.
    const expected: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const gap of [0, 55, 25]) {
        await sleep(gap);
        const text = `r${round} +${gap}`;
        expected.push(text);
        appendFileSync(file, `${text}\n`);
      }
      await eventually(() => expect(lines).toEqual(expected));
    }
  });

  it('waits for a logpath that does not exist yet and reads it from its start', async () => {
    const file = join(dir, 'later.log');
    const { lines, sub } = await collect([file]);
    expect(sub.files()).toEqual([]);
    writeFileSync(file, 'first\nsecond\n');
    await eventually(() => expect(lines).toEqual(['first', 'second']));
    expect(sub.files()).toEqual([file]);
    await settle(file, lines, ['first', 'second']);
  });

  it('waits for a logpath whose directories do not exist yet', async () => {
    const file = join(dir, 'app', 'logs', 'auth.log');
    const { lines, sub } = await collect([file]);
    mkdirSync(join(dir, 'app', 'logs'), { recursive: true });
    writeFileSync(join(dir, 'app', 'logs', 'other.log'), 'not mine\n');
    writeFileSync(file, 'first\n');
    await eventually(() => expect(lines).toEqual(['first']));
    expect(sub.files()).toEqual([file]);
    appendFileSync(file, 'second\n');
    await eventually(() => expect(lines).toEqual(['first', 'second']));
  });

  it('follows a glob: a matching file created later is picked up, a non-matching one is not', async () => {
    const early = join(dir, 'early.log');
    writeFileSync(early, 'skipped\n');
    const { lines, sub } = await collect([join(dir, '*.log')]);
    expect(sub.files()).toEqual([early]);
    writeFileSync(join(dir, 'other.txt'), 'not mine\n');
    writeFileSync(join(dir, 'web.log'), 'web-1\n');
    await eventually(() => expect(lines).toEqual(['web-1']));
    expect(sub.files().sort()).toEqual([early, join(dir, 'web.log')]);
    appendFileSync(join(dir, 'other.txt'), 'still not mine\n');
    await settle(early, lines, ['web-1']);
  });

  it('survives logrotate rename + create: no line lost, none repeated', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, 'before follow\n');
    const { lines } = await collect([file]);
    appendFileSync(file, 'old-1\n');
    await eventually(() => expect(lines).toEqual(['old-1']));
    // Written just before the rename, likely not yet read when the new file appears.
    appendFileSync(file, 'old-2\n');
    appendFileSync(file, 'old-3\n');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new-1\n');
    appendFileSync(file, 'new-2\n');
    const expected = ['old-1', 'old-2', 'old-3', 'new-1', 'new-2'];
    await eventually(() => expect(lines).toEqual(expected));
    await settle(file, lines, expected);
    // A second rotation in a row works the same way.
    renameSync(file, `${file}.2`);
    writeFileSync(file, 'newer-1\n');
    await eventually(() => expect(lines).toEqual([...expected, 'marker', 'newer-1']));
    await settle(file, lines, [...expected, 'marker', 'newer-1'], 'marker-2');
  });

  it('survives copytruncate: new lines are delivered and nothing is replayed', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, 'existing line that is long enough\n'.repeat(20));
    const { lines } = await collect([file]);
    appendFileSync(file, 'before-1\nbefore-2\n');
    await eventually(() => expect(lines).toEqual(['before-1', 'before-2']));
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    // Shorter than what was read, so the shrink is visible whenever the next read happens.
    appendFileSync(file, 'after-1\n');
    appendFileSync(file, 'after-2\n');
    const expected = ['before-1', 'before-2', 'after-1', 'after-2'];
    await eventually(() => expect(lines).toEqual(expected));
    await settle(file, lines, expected);
  });

  it('shares one reader between two subscriptions; each close detaches only its own', async () => {
    const file = join(dir, 'shared.log');
    const probe = join(dir, 'probe.log');
    writeFileSync(file, '');
    writeFileSync(probe, '');
    const a = await collect([file]);
    const b = await collect([file]);
    const p = await collect([probe]);
    expect(fdsInto(file)).toHaveLength(1);
    appendFileSync(file, 'both\n');
    await eventually(() => expect([a.lines, b.lines]).toEqual([['both'], ['both']]));

    await a.sub.close();
    expect(a.sub.files()).toEqual([]);
    expect(b.sub.files()).toEqual([file]);
    appendFileSync(file, 'only-b\n');
    await eventually(() => expect(b.lines).toEqual(['both', 'only-b']));
    expect(a.lines).toEqual(['both']);

    await b.sub.close();
    expect(fdsInto(file)).toEqual([]);
    appendFileSync(file, 'nobody\n');
    // The probe's line is read after the line above was written; by then nothing reached a or b.
    appendFileSync(probe, 'probe\n');
    await eventually(() => expect(p.lines).toEqual(['probe']));
    expect(a.lines).toEqual(['both']);
    expect(b.lines).toEqual(['both', 'only-b']);
  });

  it('serves two follow() calls started together on one directory', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, 'existing\n');
    const [a, b] = await Promise.all([collect([file]), collect([join(dir, '*.log')])]);
    expect([a.sub.files(), b.sub.files()]).toEqual([[file], [file]]);
    await settle(file, a.lines, []);
    expect(b.lines).toEqual(['marker']);
  });

  it('shares one reader when two subscriptions see the same file appear', async () => {
    const file = join(dir, 'late.log');
    const a = await collect([file]);
    const b = await collect([join(dir, '*.log')]);
    writeFileSync(file, 'hello\n');
    await eventually(() => expect([a.lines, b.lines]).toEqual([['hello'], ['hello']]));
    expect(fdsInto(file)).toHaveLength(1);
    await settle(file, a.lines, ['hello']);
    expect(b.lines).toEqual(['hello', 'marker']);
  });

  it('isolates a subscriber that throws: the others still get every line', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, '');
    await tail.follow([file], () => {
      throw new Error('subscriber bug');
    });
    const { lines } = await collect([file]);
    appendFileSync(file, 'one\ntwo\n');
    await eventually(() => expect(lines).toEqual(['one', 'two']));
    await settle(file, lines, ['one', 'two']);
  });

  it('drops an overlong line, strips CRLF and decodes invalid UTF-8 without throwing', async () => {
    const file = join(dir, 'odd.log');
    writeFileSync(file, '');
    const { lines } = await collect([file]);
    appendFileSync(file, `${'x'.repeat(70 * 1024)}\nafter long\n`);
    appendFileSync(file, 'windows\r\n');
    appendFileSync(file, Buffer.from([0xff, 0xfe, 0x41, 0x0a]));
    await eventually(() => expect(lines).toEqual(['after long', 'windows', '\ufffd\ufffdA']));
    // An overlong line that arrives in pieces is dropped too.
    appendFileSync(file, 'y'.repeat(40 * 1024));
    appendFileSync(file, `${'y'.repeat(40 * 1024)}\n`);
    await settle(file, lines, ['after long', 'windows', '\ufffd\ufffdA']);
  });

  it('close() releases every watcher, file handle and timer', async () => {
    await turns();
    const before = watchHandles();
    const file = join(dir, 'a.log');
    writeFileSync(file, '');
    const { lines } = await collect([file, join(dir, '*.txt')]);
    appendFileSync(file, 'one\n');
    await eventually(() => expect(lines).toEqual(['one']));
    expect(fdsInto(dir).length).toBeGreaterThan(0);
    expect(watchHandles()).toBeGreaterThan(before);
    // Close while a trailing read is still pending.
    appendFileSync(file, 'two\n');
    await tail.close();
    expect(fdsInto(dir)).toEqual([]);
    await eventually(() => expect(watchHandles()).toBe(before));
    // A trailing read cancelled by close() would reopen the file: wait past its delay to be sure.
    appendFileSync(file, 'three\n');
    await sleep(150);
    expect(fdsInto(dir)).toEqual([]);
    expect(lines).not.toContain('three');
  });

  it('lets a process exit on its own after close()', async () => {
    // The built module (global setup compiles dist/) in a child that never calls process.exit.
    const script = `
      import { appendFileSync, writeFileSync } from 'node:fs';
      import pino from 'pino';
      import { systemClock } from './dist/core/clock.js';
      import { FileTail } from './dist/tail/file-tail.js';
      const file = process.argv[1];
      writeFileSync(file, '');
      const tail = new FileTail(systemClock, pino({ level: 'silent' }));
      let done;
      const got = new Promise((ok) => { done = ok; });
      const sub = await tail.follow([file], (line) => done(line.text));
      appendFileSync(file, 'hello\\n');
      console.log(await got);
      await sub.close();
      appendFileSync(file, 'bye\\n');
      await tail.close();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, join(dir, 'c.log')], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const code = await new Promise<number | string>((ok) => {
      // Generous: this catches a hang, not slowness.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        ok('hung');
      }, 20_000);
      child.on('exit', (c, signal) => {
        clearTimeout(timer);
        ok(c ?? String(signal));
      });
    });
    expect({ code, out }).toEqual({ code: 0, out: 'hello\n' });
  });
});
