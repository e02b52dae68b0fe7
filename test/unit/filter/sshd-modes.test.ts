// filter.d/sshd.conf modes (`filter = sshd[mode=...]`): each richer mode catches its own lines on
// top of normal's, normal is untouched, and the added patterns keep the injection rule. The generic
// samples test runs sshd.log in normal mode only; these lines need a mode argument.

import { describe, expect, it } from 'vitest';
import { loadFilter } from '../../../src/config/filter-file.ts';
import { compileFilter, type Filter } from '../../../src/filter/compile.ts';
import { REPO } from '../../support/config-dir.ts';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const MODES = ['normal', 'ddos', 'extra', 'aggressive'] as const;
type Mode = (typeof MODES)[number];

function sshd(mode: string): Filter {
  const loaded = loadFilter(REPO, 'sshd', { mode });
  if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
  const compiled = compileFilter(loaded.filter);
  if ('problems' in compiled) throw new Error(JSON.stringify(compiled.problems));
  return compiled.filter;
}

const filters = Object.fromEntries(MODES.map((m) => [m, sshd(m)])) as Record<Mode, Filter>;

// Lines with the address each mode must yield (null: no match).
const CASES: readonly { line: string; ip: Partial<Record<Mode, string | null>> }[] = [
  // Every mode: a normal failure.
  {
    line: 'Nov 27 10:24:12 web1 sshd[4242]: Failed password for root from 192.0.2.7 port 50022 ssh2',
    ip: { normal: '192.0.2.7', ddos: '192.0.2.7', extra: '192.0.2.7', aggressive: '192.0.2.7' },
  },
  // ddos and aggressive: connections that never try to log in.
  {
    line: 'Nov 27 11:10:05 web1 sshd[6004]: Connection closed by 192.0.2.14 port 40001 [preauth]',
    ip: { normal: null, ddos: '192.0.2.14', extra: null, aggressive: '192.0.2.14' },
  },
  {
    line: '2026-11-27T11:10:06.000+00:00 bastion sshd-session[82500]: Connection reset by 2001:db8::31 port 40002 [preauth]',
    ip: { normal: null, ddos: '2001:db8::31', extra: null, aggressive: '2001:db8::31' },
  },
  {
    line: 'Nov 27 11:10:07 web1 sshd[6006]: Disconnected from 203.0.113.32 port 40003 [preauth]',
    ip: { normal: null, ddos: '203.0.113.32', extra: null, aggressive: '203.0.113.32' },
  },
  {
    line: 'Nov 27 11:10:08 web1 sshd[6007]: fatal: Timeout before authentication for 198.51.100.33 port 40004',
    ip: { normal: null, ddos: '198.51.100.33', extra: null, aggressive: '198.51.100.33' },
  },
  {
    line: "Nov 27 11:10:09 legacy sshd[990]: Bad protocol version identification 'GET / HTTP/1.1' from 192.0.2.34 port 40005",
    ip: { normal: null, ddos: '192.0.2.34', extra: null, aggressive: '192.0.2.34' },
  },
  {
    line: 'Nov 27 11:10:10 web1 sshd[6009]: error: banner exchange: Connection from 203.0.113.35 port 40006: invalid format',
    ip: { normal: null, ddos: '203.0.113.35', extra: null, aggressive: '203.0.113.35' },
  },
  // extra and aggressive: protocol failures before login.
  {
    line: 'Nov 27 11:10:11 web1 sshd[6010]: ssh_dispatch_run_fatal: Connection from 198.51.100.36 port 40007: message authentication code incorrect [preauth]',
    ip: { normal: null, ddos: null, extra: '198.51.100.36', aggressive: '198.51.100.36' },
  },
  {
    line: '2026-11-27T11:10:12.000+00:00 bastion sshd-session[82501]: ssh_dispatch_run_fatal: Connection from authenticating user root 2001:db8::37 port 40008: Connection corrupted [preauth]',
    ip: { normal: null, ddos: null, extra: '2001:db8::37', aggressive: '2001:db8::37' },
  },
  // Adversarial: the client's banner imitates the tail; the address sshd wrote last wins.
  {
    line: "Nov 27 11:10:13 legacy sshd[991]: Bad protocol version identification 'x' from 10.0.0.1 port 22' from 192.0.2.38 port 40009",
    ip: { normal: null, ddos: '192.0.2.38', aggressive: '192.0.2.38' },
  },
  // Adversarial: the user name imitates the head of the fatal message.
  {
    line: 'Nov 27 11:10:14 web1 sshd[6011]: ssh_dispatch_run_fatal: Connection from invalid user x 10.0.0.1 port 22: invalid format [preauth] 203.0.113.39 port 40010: invalid format [preauth]',
    ip: { normal: null, extra: '203.0.113.39', aggressive: '203.0.113.39' },
  },
  // Adversarial: text after the address where sshd writes none.
  {
    line: 'Nov 27 11:10:15 web1 sshd[6012]: Connection closed by 192.0.2.40 port 40011 [preauth] 10.0.0.1',
    ip: { normal: null, ddos: null, extra: null, aggressive: null },
  },
  // Not a failure in any mode.
  {
    line: 'Nov 27 11:10:16 web1 sshd[6013]: Connection closed by 192.0.2.41 port 40012',
    ip: { normal: null, ddos: null, extra: null, aggressive: null },
  },
];

describe('filter.d/sshd.conf modes', () => {
  it.each(MODES)('%s compiles every pattern to exact RE2', (mode) => {
    expect(filters[mode].fallbacks).toEqual([]);
  });

  it.each(
    CASES.flatMap((c) => Object.entries(c.ip).map(([mode, ip]) => [mode, ip ?? null, c.line] as const)),
  )('%s yields %s for %s', (mode, ip, line) => {
    const m = filters[mode as Mode].match(line, NOW);
    expect(m?.address?.text ?? null).toBe(ip);
  });

  it('treats a missing mode argument as normal', () => {
    const patterns = (args: Record<string, string>) => {
      const loaded = loadFilter(REPO, 'sshd', args);
      if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
      return loaded.filter.failregex.map((p) => p.pattern);
    };
    expect(patterns({})).toEqual(patterns({ mode: 'normal' }));
  });

  it('reports an unknown mode at load instead of running as normal', () => {
    const loaded = loadFilter(REPO, 'sshd', { mode: 'paranoid' });
    if ('problems' in loaded) throw new Error(JSON.stringify(loaded.problems));
    const compiled = compileFilter(loaded.filter);
    expect('problems' in compiled && compiled.problems.map((p) => p.message)).toEqual([
      'no <HOST> in "<mode-paranoid>"',
    ]);
  });
});
