// Guards the fail2ban compatibility recorded in docs/compat.md (written by `npm run compat`): every
// stock filter listed as loading still loads (every variant its samples use), and no filter gets
// fewer annotated sample lines right than the table records. The target is every stock filter
// loading and at least 99% of annotated lines correct; the table shows the gap. After an engine
// fix, rerun `npm run compat` so the table, and with it this floor, rises.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/config-dir.ts';
import { fail2banPackage } from '../support/fail2ban-package.ts';
import { type CompatReport, type FilterReport, runCompat } from './harness.ts';
import { readTable, type TableRow } from './table.ts';
import { restoreTimezone } from './zurich.ts';

const recorded = readTable(readFileSync(join(REPO, 'docs', 'compat.md'), 'utf8'));
let report: CompatReport;
const now = (name: string): FilterReport => {
  const f = report.filters.find((x) => x.name === name);
  if (!f) throw new Error(`stock filter "${name}" is gone from fail2ban's filter.d`);
  return f;
};

beforeAll(() => {
  report = runCompat(fail2banPackage());
});
afterAll(restoreTimezone);

describe('fail2ban compatibility (docs/compat.md)', () => {
  it('records every stock filter', () => {
    expect(recorded.map((r) => r.name)).toEqual(report.filters.map((f) => f.name));
  });

  it.each(recorded.map((r) => [r.name, r] as const))(
    '%s holds its recorded result',
    (name, row: TableRow) => {
      const f = now(name);
      if (row.loads) expect(f.loadError, `${name} no longer loads`).toBeUndefined();
      expect(f.lines, `${name}: annotated lines`).toBe(row.lines);
      const wrong = f.failures.slice(0, 3).map((x) => `${x.file}:${x.lineNo} ${x.reason}`);
      expect(
        f.correct,
        `${name}: correct lines fell below the table\n${wrong.join('\n')}`,
      ).toBeGreaterThanOrEqual(row.correct);
    },
  );
});
