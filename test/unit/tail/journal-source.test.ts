// JournalSource on real journal files (journal-kit.ts) read by the real journalctl, and on a
// stand-in journalctl for what a real one will not do on demand (die).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import type { Line } from '../../../src/core/types.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { JournalSource, journalctlArgs, splitJournalMatch } from '../../../src/tail/journal-source.ts';
import { REPO } from '../../support/config-dir.ts';
import { FakeClock, silentLogger } from '../../support/fakes.ts';
import { eventually, sleep } from './fs-kit.ts';
import { appendJournal, entry } from './journal-kit.ts';

const T = 1_700_000_000_000;
const SSHD = '_SYSTEMD_UNIT=sshd.service';

let dir: string;
let journal: string;
let store: SqliteStore;
const sources: JournalSource[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-journal-'));
  journal = join(dir, 'journal');
  store = new SqliteStore(join(dir, 'state.sqlite3'));
});

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A source on the test journal, its lines collected. */
async function follow(
  matches = SSHD,
): Promise<{ source: JournalSource; got: Line[]; texts: () => string[] }> {
  const source = new JournalSource({
    name: 'sshd',
    backend: { kind: 'systemd', journalpath: journal },
    matches,
    clock: systemClock,
    log: silentLogger(),
    positions: store,
  });
  sources.push(source);
  const got: Line[] = [];
  await source.follow([], (l) => got.push(l));
  return { source, got, texts: () => got.map((l) => l.text) };
}

/** Appends probes until one arrives: from then on journalctl is following. */
async function untilFollowing(got: Line[]): Promise<void> {
  for (let i = 0; ; i++) {
    appendJournal(journal, [entry(`probe ${i}`, T)]);
    await sleep(100);
    if (got.some((l) => l.text.includes('probe'))) return;
    if (i > 50) throw new Error('journalctl never delivered a probe');
  }
}

describe('journalctlArgs', () => {
  it('follows JSON from now, or after a cursor, on the system journal unless told where', () => {
    expect(journalctlArgs({ kind: 'systemd' }, '_SYSTEMD_UNIT=sshd.service + _COMM=sshd', undefined)).toEqual(
      [
        '--follow',
        '--merge',
        '--output=json',
        '--all',
        '--no-pager',
        '--quiet',
        '--lines=0',
        '--system',
        '_SYSTEMD_UNIT=sshd.service',
        '+',
        '_COMM=sshd',
      ],
    );
    expect(
      journalctlArgs(
        { kind: 'systemd', journalfiles: ['/a.journal', '/b.journal'], journalflags: 8 },
        '',
        'c;1',
      ),
    ).toEqual([
      '--follow',
      '--merge',
      '--output=json',
      '--all',
      '--no-pager',
      '--quiet',
      '--after-cursor=c;1',
      '--lines=all',
      '--file=/a.journal',
      '--file=/b.journal',
      '--user',
    ]);
  });

  it('reads journalmatch lines as alternatives, and quoted words whole', () => {
    expect(splitJournalMatch('_COMM=a "MESSAGE=x y"\n\n_COMM=b')).toEqual([
      '_COMM=a',
      'MESSAGE=x y',
      '+',
      '_COMM=b',
    ]);
  });
});

describe('JournalSource', () => {
  it('follows matching entries from now on, as syslog-shaped lines with the entry’s time', async () => {
    appendJournal(journal, [entry('before start', T)]);
    const { got, texts } = await follow();
    await untilFollowing(got);
    const seen = got.length;
    appendJournal(journal, [
      entry('Failed password for root from 192.0.2.7', T + 1_000),
      entry('not sshd', T + 2_000, { _SYSTEMD_UNIT: 'cron.service', SYSLOG_IDENTIFIER: 'cron' }),
      entry(Buffer.from('bin\xffary\nsecond', 'latin1'), T + 3_000),
    ]);
    await eventually(() => expect(got.length).toBe(seen + 2));
    expect(texts()).not.toContain('host1 sshd[42]: before start');
    expect(got.slice(seen)).toEqual([
      {
        text: 'host1 sshd[42]: Failed password for root from 192.0.2.7',
        source: 'journal',
        time: T + 1_000,
        timeKnown: true,
      },
      { text: 'host1 sshd[42]: bin\ufffdary\\nsecond', source: 'journal', time: T + 3_000, timeKnown: true },
    ]);
  });

  it('resumes after the saved cursor: entries written while stopped arrive once', async () => {
    const first = await follow();
    await untilFollowing(first.got);
    appendJournal(journal, [entry('one', T + 1)]);
    await eventually(() => expect(first.texts().at(-1)).toBe('host1 sshd[42]: one'));
    await first.source.close();
    const batch = Array.from({ length: 500 }, (_, i) => entry(`down ${i}`, T + 10 + i));
    appendJournal(journal, batch);
    const second = await follow();
    await eventually(() => expect(second.got).toHaveLength(500));
    appendJournal(journal, [entry('after', T + 1_000)]);
    await eventually(() => expect(second.got).toHaveLength(501));
    expect(second.texts()).toEqual([
      ...batch.map((_, i) => `host1 sshd[42]: down ${i}`),
      'host1 sshd[42]: after',
    ]);
  });

  it('resumes across a reboot: the rest of the old boot, then the new one', async () => {
    const first = await follow();
    await untilFollowing(first.got);
    await first.source.close();
    appendJournal(journal, [entry('end of old boot', T + 1)]);
    appendJournal(journal, [entry('new boot', T + 60_000, { _BOOT_ID: 'fedcba9876543210fedcba9876543210' })]);
    const second = await follow();
    await eventually(() =>
      expect(second.texts()).toEqual(['host1 sshd[42]: end of old boot', 'host1 sshd[42]: new boot']),
    );
  });

  it('waits on an empty journal instead of failing', async () => {
    const { got } = await follow();
    await untilFollowing(got);
    expect(got[0]?.text).toMatch(/^host1 sshd\[42\]: probe \d+$/);
  });

  it('restarts a journalctl that ended, after the last cursor it delivered', async () => {
    const argvLog = join(dir, 'argv.jsonl');
    writeFileSync(argvLog, '');
    process.env.FAKE_JOURNALCTL_LOG = argvLog;
    const clock = new FakeClock(T);
    const source = new JournalSource({
      name: 'sshd',
      backend: { kind: 'systemd', journalpath: journal },
      matches: SSHD,
      clock,
      log: silentLogger(),
      command: [process.execPath, join(REPO, 'test', 'fixtures', 'tail', 'fake-journalctl.mjs')],
    });
    sources.push(source);
    const texts: string[] = [];
    await source.follow([], (l) => texts.push(l.text));
    await eventually(() => expect(clock.pending).toBe(1));
    expect(texts).toEqual(['h sshd: run 1']);
    clock.advance(1_000);
    await eventually(() => expect(texts).toEqual(['h sshd: run 1', 'h sshd: run 2']));
    const runs = readFileSync(argvLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    expect(runs[0]).toContain('--lines=0');
    expect(runs[1]).toContain('--after-cursor=cursor-1');
    delete process.env.FAKE_JOURNALCTL_LOG;
  });
});
