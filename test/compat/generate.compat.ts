// `npm run compat`: runs the compatibility harness over every stock fail2ban filter, prints one
// line per filter with the totals and the causes, and rewrites docs/compat.md. A script run as a
// vitest file (test/compat/vitest.config.ts) so it loads the .ts sources as the suite does.
import './zurich.ts';

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from '../support/config-dir.ts';
import { fail2banPackage } from '../support/fail2ban-package.ts';
import { runCompat } from './harness.ts';
import { renderTable, summaryLines } from './table.ts';

it('writes docs/compat.md', () => {
  const report = runCompat(fail2banPackage());
  process.stdout.write(`${summaryLines(report).join('\n')}\n`);
  mkdirSync(join(REPO, 'docs'), { recursive: true });
  writeFileSync(join(REPO, 'docs', 'compat.md'), renderTable(report));
  expect(report.filters.length).toBeGreaterThan(0);
});
