// planJails: one filter for jails that read the same files with the same filter, so a line is
// matched once for all of them; separate filters otherwise, on patterns compiled once per filter.

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

  it('compiles a filter once for jails on other files, each Filter keeping its own state', () => {
    const file = 'filter.d/webapp.conf';
    const filter = {
      name: 'webapp',
      file,
      failregex: [{ pattern: String.raw`^\s*login failed\n\s*at client <HOST>$`, file, line: 2 }],
      ignoreregex: [],
      maxlines: 2,
    };
    const [a, b, otherDns] = plan([
      testJailConfig({ name: 'a', filter, logpaths: ['/var/log/a.log'] }),
      testJailConfig({ name: 'b', filter, logpaths: ['/var/log/b.log'] }),
      testJailConfig({ name: 'c', filter, logpaths: ['/var/log/c.log'], usedns: 'no' }),
    ]);
    expect(a!.filter).not.toBe(b!.filter);
    // The same compiled patterns: their list of fallbacks is one list.
    expect(a!.filter.fallbacks).toBe(b!.filter.fallbacks);
    expect(otherDns!.filter.fallbacks).not.toBe(a!.filter.fallbacks);
    // The maxlines buffer is each Filter's own: b never saw a's first line.
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    expect(a!.filter.match('2026-11-27 11:00:00 login failed', now)).toBeUndefined();
    expect(b!.filter.match('2026-11-27 11:00:00   at client 192.0.2.10', now)).toBeUndefined();
    expect(a!.filter.match('2026-11-27 11:00:00   at client 192.0.2.10', now)?.address?.text).toBe(
      '192.0.2.10',
    );
  });
});
