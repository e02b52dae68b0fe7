// Runs every test/samples/<filter>.log against filter.d/<filter>.conf: each line after a
// `# expect: {...}` comment must yield that address (and time, when given); after
// `# expect: null` it must yield nothing.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFilter } from '../../../src/config/filter-file.ts';
import { compileFilter } from '../../../src/filter/compile.ts';
import { REPO } from '../../support/config-dir.ts';

const SAMPLES = join(REPO, 'test', 'samples');
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

interface Case {
  lineNo: number;
  line: string;
  expected: { ip: string; time?: number } | null;
}

function cases(file: string): Case[] {
  const out: Case[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^# expect: (.*)$/.exec(lines[i]!);
    if (!m) continue;
    out.push({ lineNo: i + 2, line: lines[i + 1] ?? '', expected: JSON.parse(m[1]!) });
  }
  return out;
}

const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.log'));

describe.each(files)('filter.d samples: %s', (file) => {
  const name = file.replace(/\.log$/, '');
  const loaded = loadFilter(REPO, name, {});
  if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
  const compiled = compileFilter(loaded.filter);
  if ('problems' in compiled) throw new Error(JSON.stringify(compiled.problems));
  const all = cases(join(SAMPLES, file));

  it('has sample lines', () => {
    expect(all.length).toBeGreaterThan(5);
  });

  it.each(all.map((c) => [c.lineNo, c] as const))('line %i', (_n, c) => {
    const m = compiled.filter.match(c.line, NOW);
    if (c.expected === null) {
      expect(m, c.line).toBeUndefined();
      return;
    }
    expect(m?.address?.text, c.line).toBe(c.expected.ip);
    if (c.expected.time !== undefined) expect(m?.time).toBe(c.expected.time * 1000);
  });
});
