// Every numbered line once, none twice, none missing, while a writer appends ~20,000 lines a
// second and starts a new file every few thousand lines, which a logpath glob picks up.

import { describe, it } from 'vitest';
import { expectEveryLineOnce, rotationSandbox, startWriter } from './rotation-kit.ts';

const TOTAL = 20_000; // ~1 s of writing

const sandbox = rotationSandbox('banhammer-rotation-');

describe('rotation under load: a glob picks up new files', () => {
  it.each(['inotify', 'polling'] as const)(
    '%s: the writer starts a new file every 4,000 lines',
    async (kind) => {
      const seen = await sandbox.follow(kind, sandbox.path('app-*.log'));
      const writer = startWriter(sandbox.path('app-%d.log'), TOTAL, 4_000);
      await writer.done;
      await expectEveryLineOnce(seen, TOTAL);
    },
  );
});
