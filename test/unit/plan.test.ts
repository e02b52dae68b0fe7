// planJails: one compiled filter for jails that read the same files with the same filter, so a
// line is matched once for all of them; separate filters otherwise.

import { describe, expect, it } from 'vitest';
import type { JailConfig } from '../../src/config/types.ts';
import { planJails } from '../../src/plan.ts';
import { testJailConfig } from '../support/jail-config.ts';

function plan(configs: JailConfig[]) {
  const r = planJails(configs);
  if (!('plans' in r)) throw new Error(JSON.stringify(r.problems));
  return r.plans;
}

describe('planJails', () => {
  it('shares one filter between jails with the same filter on the same files', () => {
    const [a, b] = plan([
      testJailConfig({ name: 'a', maxretry: 3 }),
      testJailConfig({ name: 'b', maxretry: 9 }),
    ]);
    expect(a!.filter).toBe(b!.filter);
  });

  it('compiles separate filters for other files, other options, or a journal jail', () => {
    const base = testJailConfig({ name: 'a' });
    const [a, otherFile, otherDns, journalA, journalB] = plan([
      base,
      testJailConfig({ name: 'b', logpaths: ['/var/log/other.log'] }),
      testJailConfig({ name: 'c', usedns: 'no' }),
      testJailConfig({ name: 'd', backend: { kind: 'systemd' } as JailConfig['backend'] }),
      testJailConfig({ name: 'e', backend: { kind: 'systemd' } as JailConfig['backend'] }),
    ]);
    expect(otherFile!.filter).not.toBe(a!.filter);
    expect(otherDns!.filter).not.toBe(a!.filter);
    expect(journalA!.filter).not.toBe(journalB!.filter);
  });
});
