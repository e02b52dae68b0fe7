// A JailConfig and its compiled filter for jail tests: `Failed for USER from ADDRESS` lines,
// maxretry 3, findtime and bantime 10 minutes, nothing ignored.

import type { JailConfig } from '../../src/config/types.ts';
import { compileFilter, type Filter } from '../../src/filter/compile.ts';

export const TEST_FILTER = {
  name: 'test',
  file: 'filter.d/test.conf',
  failregex: [{ pattern: '^Failed for .* from <HOST>$', file: 'filter.d/test.conf', line: 2 }],
  ignoreregex: [],
};

export function testFilter(): Filter {
  const r = compileFilter(TEST_FILTER);
  if (!('filter' in r)) throw new Error(`test filter does not compile: ${JSON.stringify(r.problems)}`);
  return r.filter;
}

/**
 * The test filter not anchored at the line's start, for lines that begin with a date (ISO 8601)
 * the filter reads as the failure's time.
 */
export function datedTestFilter(): Filter {
  const file = 'filter.d/dated.conf';
  const r = compileFilter({
    name: 'dated',
    failregex: [{ pattern: 'Failed for .* from <HOST>$', file, line: 2 }],
    ignoreregex: [],
  });
  if (!('filter' in r)) throw new Error(`dated test filter does not compile: ${JSON.stringify(r.problems)}`);
  return r.filter;
}

export function testJailConfig(over: Partial<JailConfig> = {}): JailConfig {
  return {
    name: 'sshd',
    file: '/etc/banhammer/jail.local',
    filter: TEST_FILTER,
    logpaths: ['/var/log/auth.log'],
    maxretry: 3,
    findtimeMs: 600_000,
    bantimeMs: 600_000,
    bantimeOptions: [],
    ignoreip: [],
    ignoreHosts: [],
    ignorecommand: '',
    ignoreself: false,
    usedns: 'warn',
    logtimezone: '',
    port: [{ from: 22, to: 22 }],
    protocol: 'tcp',
    blockRules: [{ ports: [{ from: 22, to: 22 }], protocol: 'tcp' }],
    mailActions: [],
    shellActions: [],
    ...over,
  };
}
