// fail2ban 0.9+'s own recidive filter (from Debian's package, with its common.conf) reads
// banhammerd's ban lines once logstyle = modern: it counts other jails' bans, not its own, and
// start-up names the option when the style does not match.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFilter } from '../../../src/config/filter-file.ts';
import { compileFilter, type Filter } from '../../../src/filter/compile.ts';
import { formatEvent } from '../../../src/log-text.ts';
import { selfLogWarnings } from '../../../src/self-log.ts';
import { fail2banPackage } from '../../support/fail2ban-package.ts';
import { testJailConfig } from '../../support/jail-config.ts';

const NOW = Date.UTC(2026, 10, 27, 12);
let dir: string;
let filter: Filter;

beforeAll(() => {
  const pkg = fail2banPackage();
  dir = mkdtempSync(join(tmpdir(), 'banhammer-stock-recidive-'));
  // What a fail2ban user carries over: the stock recidive.conf and the common.conf it includes.
  for (const f of ['recidive.conf', 'common.conf'])
    cpSync(join(pkg.etc, 'filter.d', f), join(dir, 'filter.d', f));
  const loaded = loadFilter(dir, 'recidive', {});
  if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
  const compiled = compileFilter(loaded.filter);
  if ('problems' in compiled) throw new Error(JSON.stringify(compiled.problems));
  filter = compiled.filter;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (style: 'legacy' | 'modern', jail: string, ip: string, kind: 'ban' | 'restore' = 'ban') =>
  formatEvent(style, kind, { time: NOW - 60_000, jail, ip, pid: 4242 });

describe("fail2ban's stock recidive filter on banhammerd's log", () => {
  it('counts modern-style bans of other jails', () => {
    expect(filter.match(line('modern', 'sshd', '192.0.2.7'), NOW)?.address?.text).toBe('192.0.2.7');
    expect(filter.match(line('modern', 'nginx-http-auth', '2001:db8::7'), NOW)?.address?.text).toBe(
      '2001:db8::7',
    );
  });

  it('leaves out its own bans, restored bans, and legacy-style lines', () => {
    expect(filter.match(line('modern', 'recidive', '192.0.2.7'), NOW)).toBeUndefined();
    expect(filter.match(line('modern', 'sshd', '192.0.2.7', 'restore'), NOW)).toBeUndefined();
    expect(filter.match(line('legacy', 'sshd', '192.0.2.7'), NOW)).toBeUndefined();
  });

  it('gets a start-up warning naming logstyle when banhammerd writes the legacy style', () => {
    const jail = {
      config: testJailConfig({ name: 'recidive', logpaths: ['/var/log/banhammer.log'] }),
      filter,
    };
    expect(selfLogWarnings([jail], { logtarget: '/var/log/banhammer.log', logstyle: 'legacy' }, NOW)).toEqual(
      [expect.stringContaining('set logstyle = modern in banhammer.local')],
    );
    expect(selfLogWarnings([jail], { logtarget: '/var/log/banhammer.log', logstyle: 'modern' }, NOW)).toEqual(
      [],
    );
  });
});
