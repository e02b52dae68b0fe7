import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_INCLUDE_DEPTH, readLayered } from '../../../src/config/includes.ts';
import { entry, type IniDocument } from '../../../src/config/ini.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'banhammer-includes-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

const value = (doc: IniDocument, key: string, section = 'Definition') => entry(doc, section, key)?.value;
const rel = (files: readonly string[]) => files.map((f) => f.slice(dir.length + 1));

describe('readLayered', () => {
  it('layers before-files, the file, after-files, then the file`s .local, as fail2ban reads them', () => {
    write({
      'main.conf': '[INCLUDES]\nbefore = common.conf\nafter = tail.conf\n[Definition]\nx = main\nm = main\n',
      'common.conf': '[Definition]\nx = common\nc = common\nm = common\n',
      'common.local': '[Definition]\nc = common.local\n',
      'tail.conf': '[Definition]\nx = tail\nt = tail\n',
      'main.local': '[Definition]\nt = main.local\n',
    });
    const read = readLayered(dir, 'main');
    expect(read.problems).toEqual([]);
    expect(rel(read.files)).toEqual(['common.conf', 'common.local', 'main.conf', 'tail.conf', 'main.local']);
    expect(value(read.document, 'x')).toBe('tail');
    expect(value(read.document, 'm')).toBe('main');
    expect(value(read.document, 'c')).toBe('common.local');
    expect(value(read.document, 't')).toBe('main.local');
  });

  it('reads NAME.d/ drop-ins: .conf ones before NAME.local, .local ones after it', () => {
    write({
      'a.conf': '[Definition]\nk = a.conf\n',
      'a.d/20-b.conf': '[Definition]\nk = 20-b.conf\n',
      'a.d/10-a.conf': '[Definition]\nk = 10-a.conf\n',
      'a.d/.hidden.conf': '[Definition]\nk = hidden\n',
      'a.local': '[Definition]\nk = a.local\nl = a.local\n',
      'a.d/10-a.local': '[Definition]\nl = 10-a.local\n',
    });
    const read = readLayered(dir, 'a');
    expect(rel(read.files)).toEqual([
      'a.conf',
      'a.d/10-a.conf',
      'a.d/20-b.conf',
      'a.local',
      'a.d/10-a.local',
    ]);
    expect(value(read.document, 'k')).toBe('a.local');
    expect(value(read.document, 'l')).toBe('10-a.local');
  });

  it('resolves includes against the including file`s directory, and takes absolute paths', () => {
    write({
      'x.conf': '[INCLUDES]\nbefore = sub/y.conf\n[Definition]\n',
      'sub/y.conf': '[INCLUDES]\nbefore = ../z.conf\n[Definition]\ny = 1\n',
      'z.conf': '[Definition]\nz = 1\n',
      'abs/w.conf': '[Definition]\nw = 1\n',
    });
    write({ 'x.local': `[INCLUDES]\nafter = ${join(dir, 'abs/w.conf')}\n` });
    const read = readLayered(dir, 'x');
    expect(read.problems).toEqual([]);
    expect(rel(read.files)).toEqual(['z.conf', 'sub/y.conf', 'x.conf', 'x.local', 'abs/w.conf']);
    expect(['y', 'z', 'w'].map((k) => value(read.document, k))).toEqual(['1', '1', '1']);
  });

  it('reports a cycle with the line that closes it, and still reads the rest', () => {
    write({
      'a.conf': '[INCLUDES]\nbefore = b.conf\n[Definition]\na = 1\n',
      'b.conf': '[Definition]\nb = 1\n[INCLUDES]\nbefore = a.conf\n',
    });
    const read = readLayered(dir, 'a');
    expect(read.problems).toEqual([
      {
        file: join(dir, 'b.conf'),
        line: 4,
        option: 'before',
        message: expect.stringMatching(/^include cycle: .*a\.conf -> .*b\.conf -> .*a\.conf$/),
      },
    ]);
    expect(value(read.document, 'a')).toBe('1');
    expect(value(read.document, 'b')).toBe('1');
  });

  it('stops at the depth limit', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i <= MAX_INCLUDE_DEPTH + 2; i++)
      files[`f${i}.conf`] = `[INCLUDES]\nbefore = f${i + 1}.conf\n`;
    write(files);
    const read = readLayered(dir, 'f0');
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]!.message).toMatch(/deeper than 10/);
    expect(read.files).toHaveLength(MAX_INCLUDE_DEPTH);
  });

  it('reports a missing include, but not a missing .local one (stock files name optional ones)', () => {
    write({ 'a.conf': '[INCLUDES]\nbefore = gone.conf\nafter = a-extra.local\n[Definition]\n' });
    const read = readLayered(dir, 'a');
    expect(read.problems).toEqual([
      {
        file: join(dir, 'a.conf'),
        line: 2,
        option: 'before',
        message: `included file "gone.conf" not found (looked for ${join(dir, 'gone.conf')})`,
      },
    ]);
  });

  it('reports syntax problems of included files with their own file and line', () => {
    write({ 'a.conf': '[INCLUDES]\nbefore = b.conf\n', 'b.conf': '[Definition]\nnot an option\n' });
    const read = readLayered(dir, 'a');
    expect(read.problems).toMatchObject([{ file: join(dir, 'b.conf'), line: 2 }]);
  });

  it('reports a file included twice only once, and finds nothing for an unknown name', () => {
    write({
      'a.conf': '[INCLUDES]\nbefore = b.conf\n          c.conf\n',
      'b.conf': '[INCLUDES]\nbefore = c.conf\n',
      'c.conf': 'oops\n',
    });
    expect(readLayered(dir, 'a').problems).toHaveLength(1);
    expect(readLayered(dir, 'nothing')).toMatchObject({ files: [], problems: [] });
  });
});
