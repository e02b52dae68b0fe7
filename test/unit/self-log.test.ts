import { describe, expect, it } from 'vitest';
import { compileFilter, type Filter } from '../../src/filter/compile.ts';
import { selfLogWarnings } from '../../src/self-log.ts';
import { testJailConfig } from '../support/jail-config.ts';

const LEGACY = 'fail2ban.actions: WARNING \\[(.*)\\] Ban <HOST>';
const MODERN = '^\\s*fail2ban\\.actions\\s*\\[\\d+\\]:\\s+NOTICE\\s+\\[[^\\]]+\\]\\s+Ban\\s+<HOST>\\s*$';

function jail(
  name: string,
  pattern: string,
  logpath: string,
): { config: ReturnType<typeof testJailConfig>; filter: Filter } {
  const spec = { name, file: 'f', failregex: [{ pattern, file: 'f', line: 1 }], ignoreregex: [] };
  const r = compileFilter(spec);
  if (!('filter' in r)) throw new Error('bad pattern');
  return { config: testJailConfig({ name, logpaths: [logpath] }), filter: r.filter };
}

const NOW = Date.UTC(2026, 10, 27, 12);

describe('selfLogWarnings', () => {
  it('is quiet when a recidive jail reads banhammerd’s log in the matching style', () => {
    expect(
      selfLogWarnings(
        [jail('fail2ban', LEGACY, '/var/log/bh.log')],
        { logtarget: '/var/log/bh.log', logstyle: 'legacy' },
        NOW,
      ),
    ).toEqual([]);
    expect(
      selfLogWarnings(
        [jail('recidive', MODERN, '/var/log/bh.log')],
        { logtarget: '/var/log/bh.log', logstyle: 'modern' },
        NOW,
      ),
    ).toEqual([]);
  });

  it('names logstyle when the filter expects the other style', () => {
    const [w] = selfLogWarnings(
      [jail('recidive', MODERN, '/var/log/bh.log')],
      { logtarget: '/var/log/bh.log', logstyle: 'legacy' },
      NOW,
    );
    expect(w).toContain('set logstyle = modern in banhammer.local');
  });

  it('names logtarget when a ban-line filter follows another file', () => {
    const [w] = selfLogWarnings(
      [jail('fail2ban', LEGACY, '/var/log/fail2ban.log')],
      { logtarget: '/var/log/banhammer.log', logstyle: 'legacy' },
      NOW,
    );
    expect(w).toContain('set logtarget = /var/log/fail2ban.log in banhammer.local');
  });

  it('says so when a jail follows the log but can match no ban line at all', () => {
    const [w] = selfLogWarnings(
      [jail('odd', '^nothing <HOST>$', '/var/log/bh.log')],
      { logtarget: '/var/log/bh.log', logstyle: 'legacy' },
      NOW,
    );
    expect(w).toContain("follows banhammerd's own log");
  });

  it('ignores jails that have nothing to do with ban lines', () => {
    expect(
      selfLogWarnings(
        [jail('sshd', '^Failed for .* from <HOST>$', '/var/log/auth.log')],
        { logtarget: '/var/log/bh.log', logstyle: 'legacy' },
        NOW,
      ),
    ).toEqual([]);
  });
});
