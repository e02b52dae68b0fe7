// The state a filter carries from line to line: the maxlines buffer with <SKIPLINES>, sessions tied
// together by <F-MLFID> (<F-NOFAIL>, <F-MLFGAINED>, <F-MLFFORGET>), the date of an undated line,
// and a time the source already knows. Patterns and lines here are our own, shaped like the
// multi-line logs fail2ban's stock filters read (Java stack traces, LDAP and SSH sessions).

import { describe, expect, it } from 'vitest';
import { compileFilter, type Filter, type FilterSpec } from '../../../src/filter/compile.ts';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

function filter(spec: Partial<Omit<FilterSpec, 'failregex'>> & { failregex: string[] }): Filter {
  const at = (pattern: string) => ({ pattern, file: 'test.conf', line: 1 });
  const compiled = compileFilter(
    {
      name: 'test',
      ...spec,
      failregex: spec.failregex.map(at),
      ignoreregex: (spec.ignoreregex ?? []) as FilterSpec['ignoreregex'],
      ...(spec.prefregex ? { prefregex: spec.prefregex } : {}),
    },
    { timezone: 'UTC' },
  );
  if ('problems' in compiled) throw new Error(JSON.stringify(compiled.problems));
  return compiled.filter;
}

/** Feeds `lines` in order; returns, per line, the banned address or null. */
function feed(f: Filter, lines: readonly string[], now = NOW): (string | null)[] {
  return lines.map((l) => f.match(l, now)?.address?.text ?? null);
}

describe('maxlines buffer', () => {
  const webapp = () =>
    filter({
      maxlines: 3,
      failregex: [String.raw`^\s*WARN LoginService - login failed\n\s*at client <HOST>$`],
    });

  it('matches a failure that spans two lines and reports both lines', () => {
    const f = webapp();
    expect(f.match('2026-11-27 11:00:00 WARN LoginService - login failed', NOW)).toBeUndefined();
    const m = f.match('2026-11-27 11:00:00   at client 192.0.2.10', NOW);
    expect(m?.address?.text).toBe('192.0.2.10');
    // Counted before the lines are made (the jail reads the count first), and after: the same.
    expect(m?.lineCount).toBe(2);
    expect(m?.lines).toEqual([
      '2026-11-27 11:00:00 WARN LoginService - login failed',
      '2026-11-27 11:00:00   at client 192.0.2.10',
    ]);
    expect(m?.lineCount).toBe(2);
  });

  it('drops the lines a match used, so one line never completes two failures', () => {
    const f = webapp();
    expect(
      feed(f, [
        '2026-11-27 11:00:00 WARN LoginService - login failed',
        '2026-11-27 11:00:00   at client 192.0.2.10',
        '2026-11-27 11:00:01   at client 192.0.2.11',
      ]),
    ).toEqual([null, '192.0.2.10', null]);
  });

  it('forgets lines older than maxlines', () => {
    const f = webapp();
    expect(
      feed(f, [
        '2026-11-27 11:00:00 WARN LoginService - login failed',
        '2026-11-27 11:00:00 INFO unrelated',
        '2026-11-27 11:00:00 INFO unrelated',
        '2026-11-27 11:00:00   at client 192.0.2.10',
      ]),
    ).toEqual([null, null, null, null]);
  });

  it('<SKIPLINES> steps over lines between, which stay in the buffer for later failures', () => {
    const f = filter({
      maxlines: 5,
      failregex: [
        String.raw`^\s*conn=(?P<c>\d+) ACCEPT from IP=<HOST>:\d+<SKIPLINES>\s*conn=(?P=c) RESULT err=49$`,
      ],
    });
    const lines = [
      'Nov 27 11:00:00 ldap slapd[7]: conn=1 ACCEPT from IP=192.0.2.20:4000',
      'Nov 27 11:00:00 ldap slapd[7]: conn=2 ACCEPT from IP=192.0.2.21:4000',
      'Nov 27 11:00:01 ldap slapd[7]: conn=1 RESULT err=49',
      'Nov 27 11:00:02 ldap slapd[7]: conn=2 RESULT err=49',
    ];
    // Without the slapd[7] prefix in the pattern the date cut leaves it; strip it the way a
    // prefix would by matching the line from the program name on.
    const bare = lines.map((l) => l.replace('ldap slapd[7]: ', ''));
    const results = bare.map((l) => f.match(l, NOW));
    expect(results.map((m) => m?.address?.text ?? null)).toEqual([null, null, '192.0.2.20', '192.0.2.21']);
    // conn=2's ACCEPT was skipped by conn=1's match, so it was still there for its own.
    expect(results[2]?.lines).toHaveLength(2);
    expect(results[3]?.lines).toEqual([bare[1], bare[3]]);
  });

  it('applies ignoreregex to the lines the failregex matched', () => {
    const f = filter({
      maxlines: 3,
      failregex: [String.raw`^\s*login failed\n\s*client <HOST>$`],
      ignoreregex: [{ pattern: String.raw`client 192\.0\.2\.99`, file: 'test.conf', line: 2 }],
    });
    expect(feed(f, ['login failed', 'client 192.0.2.99', 'login failed', 'client 192.0.2.98'])).toEqual([
      null,
      null,
      null,
      '192.0.2.98',
    ]);
  });
});

describe('sessions by <F-MLFID>', () => {
  // An SSH-like log: the session id is the pid; the address appears on the connect line only.
  const ssh = () =>
    filter({
      prefregex: {
        pattern: String.raw`^\s*<F-MLFID>sshd\[\d+\]:</F-MLFID> <F-CONTENT>.+</F-CONTENT>$`,
        file: 'test.conf',
        line: 1,
      },
      failregex: [
        String.raw`^<F-NOFAIL>Connection from</F-NOFAIL> <HOST> port \d+$`,
        String.raw`^Failed password for <F-USER>\S+</F-USER>$`,
        String.raw`^<F-NOFAIL>auth failure</F-NOFAIL> user=<F-USER>\S+</F-USER>$`,
        String.raw`^<F-MLFGAINED>Accepted password</F-MLFGAINED> for <F-USER>\S+</F-USER>$`,
        '^<F-NOFAIL><F-MLFFORGET>Disconnected</F-MLFFORGET></F-NOFAIL>$',
      ],
    });

  it('ties a failure without an address to the address its session logged first', () => {
    const f = ssh();
    const out = feed(f, [
      'Nov 27 11:00:00 sshd[100]: Connection from 192.0.2.30 port 5000',
      'Nov 27 11:00:01 sshd[200]: Connection from 192.0.2.31 port 5001',
      'Nov 27 11:00:02 sshd[100]: Failed password for root',
      'Nov 27 11:00:03 sshd[100]: Failed password for admin',
    ]);
    expect(out).toEqual([null, null, '192.0.2.30', '192.0.2.30']);
  });

  it('a session that authenticated with its only user is no failure', () => {
    const f = ssh();
    const out = feed(f, [
      'Nov 27 11:00:00 sshd[100]: Connection from 192.0.2.30 port 5000',
      'Nov 27 11:00:01 sshd[100]: auth failure user=alice',
      'Nov 27 11:00:02 sshd[100]: Accepted password for alice',
    ]);
    expect(out).toEqual([null, null, null]);
  });

  it('several user names in one session make the success a failure after all', () => {
    const f = ssh();
    const out = feed(f, [
      'Nov 27 11:00:00 sshd[100]: Connection from 192.0.2.30 port 5000',
      'Nov 27 11:00:01 sshd[100]: auth failure user=root',
      'Nov 27 11:00:02 sshd[100]: auth failure user=oracle',
      'Nov 27 11:00:03 sshd[100]: Accepted password for alice',
    ]);
    // The second name turns the held attempt into a failure, the success too (a third name).
    expect(out).toEqual([null, null, '192.0.2.30', '192.0.2.30']);
  });

  it('forgets a session at its end: a reused id starts clean', () => {
    const f = ssh();
    const out = feed(f, [
      'Nov 27 11:00:00 sshd[100]: Connection from 192.0.2.30 port 5000',
      'Nov 27 11:00:01 sshd[100]: Disconnected',
      'Nov 27 11:00:02 sshd[100]: Failed password for root',
    ]);
    expect(out).toEqual([null, null, null]);
  });

  it('a session that never named its address bans nothing and holds the failure', () => {
    const f = ssh();
    expect(feed(f, ['Nov 27 11:00:00 sshd[300]: Failed password for root'])).toEqual([null]);
    // The address arrives later in the same session: the held failure completes with it.
    const m = f.match('Nov 27 11:00:01 sshd[300]: Connection from 192.0.2.40 port 5000', NOW);
    expect(m?.address?.text).toBe('192.0.2.40');
    expect(m?.lines).toHaveLength(2);
    expect(m?.lineCount).toBe(2);
  });

  it('keeps at most 100 sessions, dropping the oldest', () => {
    const f = ssh();
    for (let pid = 1; pid <= 101; pid++) {
      f.match(`Nov 27 11:00:00 sshd[${pid}]: Connection from 192.0.2.${pid} port 5000`, NOW);
    }
    expect(f.match('Nov 27 11:00:01 sshd[1]: Failed password for root', NOW)).toBeUndefined();
    expect(f.match('Nov 27 11:00:01 sshd[101]: Failed password for root', NOW)?.address?.text).toBe(
      '192.0.2.101',
    );
  });

  it('lets a session expire after five minutes', () => {
    const f = ssh();
    f.match('Nov 27 11:00:00 sshd[100]: Connection from 192.0.2.30 port 5000', NOW);
    const later = NOW + 5 * 60_000 + 1;
    expect(f.match('Nov 27 11:05:01 sshd[100]: Failed password for root', later)).toBeUndefined();
  });
});

describe('captures', () => {
  it('an empty <F-NOFAIL> capture is no flag, as in Python where an empty group is false', () => {
    const f = filter({ failregex: [String.raw`^\s*fail from <HOST>(?P<nofail>)$`] });
    expect(f.match('fail from 192.0.2.1', NOW)?.address?.text).toBe('192.0.2.1');
    const g = filter({ failregex: [String.raw`^\s*<F-NOFAIL>probe</F-NOFAIL> from <HOST>$`] });
    expect(g.match('probe from 192.0.2.1', NOW)).toBeUndefined();
  });

  it('<F-ALT_USER> fills user when <F-USER> captured nothing', () => {
    const f = filter({
      failregex: [
        String.raw`^\s*fail(?: user=<F-USER>\S+</F-USER>| ruser=<F-ALT_USER>\S+</F-ALT_USER>) from <HOST>$`,
      ],
    });
    expect(f.match('fail user=bob from 192.0.2.1', NOW)?.fields.user).toBe('bob');
    expect(f.match('fail ruser=eve from 192.0.2.1', NOW)?.fields.user).toBe('eve');
  });

  it('reads zero-padded IPv4 octets as decimal, never octal', () => {
    const f = filter({ failregex: [String.raw`^\s*fail from <HOST>$`] });
    expect(f.match('fail from 192.030.000.006', NOW)?.address?.text).toBe('192.30.0.6');
    expect(f.match('fail from 192.300.0.6', NOW)).toBeUndefined();
  });
});

describe('time of a line', () => {
  const f = () => filter({ failregex: [String.raw`^\s*fail from <HOST>$`] });

  it('an undated line takes the previous date while that is under a minute old', () => {
    const g = f();
    g.match('2026-11-27 11:59:30 fail from 192.0.2.1', NOW);
    expect(g.match('fail from 192.0.2.2', NOW)?.time).toBe(Date.UTC(2026, 10, 27, 11, 59, 30));
    const h = f();
    h.match('2026-11-27 11:58:00 fail from 192.0.2.1', NOW);
    expect(h.match('fail from 192.0.2.2', NOW)?.time).toBeUndefined();
  });

  it("a time the source knows (a journal entry's) is used and the line is not searched for a date", () => {
    const known = Date.UTC(2026, 10, 27, 10, 0, 0);
    const m = f().match('2020-01-01 00:00:00 fail from 192.0.2.1', NOW, known);
    // Not cut as a date, the line no longer starts the way the pattern expects.
    expect(m).toBeUndefined();
    expect(f().match('fail from 192.0.2.1', NOW, known)?.time).toBe(known);
  });
});

describe('maxlines buffer ruled out by literals', () => {
  // slapd's shape: a connection accepted, lines of other connections, its bind refused. Each
  // failregex's literal ("ACCEPT from IP=", " RESULT ") rules a line in; while no buffered line
  // holds one, the buffer is not joined and searched.
  const ldap = () =>
    filter({
      maxlines: 5,
      failregex: [
        String.raw`^\s*conn=(?P<_conn>\d+) ACCEPT from IP=<HOST>\n(?:.*\n)*?\s*conn=(?P=_conn) RESULT err=49\n`,
      ],
    });
  const other = (i: number) => `2026-11-27 11:00:00 conn=${900 + i} op=1 SRCH base="dc=example"`;

  it('matches across lines that hold no literal, while the first is still buffered', () => {
    const lines = [
      '2026-11-27 11:00:00 conn=7 ACCEPT from IP=192.0.2.20',
      other(1),
      other(2),
      other(3),
      '2026-11-27 11:00:00 conn=7 RESULT err=49',
    ];
    expect(feed(ldap(), lines)).toEqual([null, null, null, null, '192.0.2.20']);
  });

  it('matches nothing once the line with the literal has left the buffer', () => {
    const lines = [
      '2026-11-27 11:00:00 conn=7 ACCEPT from IP=192.0.2.21',
      ...[1, 2, 3, 4, 5].map(other),
      '2026-11-27 11:00:00 conn=7 RESULT err=49',
    ];
    expect(feed(ldap(), lines).every((x) => x === null)).toBe(true);
  });

  it('finds a failure again after a match took its lines, with lines in between', () => {
    const lines = [
      '2026-11-27 11:00:00 conn=7 ACCEPT from IP=192.0.2.22',
      '2026-11-27 11:00:00 conn=7 RESULT err=49',
      other(1),
      '2026-11-27 11:00:00 conn=8 ACCEPT from IP=192.0.2.23',
      other(2),
      '2026-11-27 11:00:00 conn=8 RESULT err=49',
    ];
    expect(feed(ldap(), lines)).toEqual([null, '192.0.2.22', null, null, null, '192.0.2.23']);
  });
});
