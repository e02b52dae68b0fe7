import { describe, expect, it } from 'vitest';
import { journalLine } from '../../../src/tail/journal-line.ts';

const base = { __CURSOR: 's=1;i=2', __REALTIME_TIMESTAMP: '1700000000123456' };

describe('journalLine', () => {
  it('reads like syslog: host, identifier[pid]:, message; time from the entry', () => {
    expect(
      journalLine({
        ...base,
        _HOSTNAME: 'web1',
        SYSLOG_IDENTIFIER: 'sshd',
        SYSLOG_PID: '812',
        _PID: '999',
        _COMM: 'sshd-session',
        MESSAGE: 'Failed password for root from 192.0.2.7 port 22 ssh2',
      }),
    ).toEqual({
      text: 'web1 sshd[812]: Failed password for root from 192.0.2.7 port 22 ssh2',
      time: 1_700_000_000_123,
      cursor: 's=1;i=2',
    });
  });

  it('falls back to _COMM and _PID, and prefers the sender’s own timestamp', () => {
    const line = journalLine({
      ...base,
      _SOURCE_REALTIME_TIMESTAMP: '1690000000000000',
      _HOSTNAME: 'web1',
      _COMM: 'dovecot',
      _PID: '7',
      MESSAGE: 'auth failed',
    });
    expect(line).toMatchObject({ text: 'web1 dovecot[7]: auth failed', time: 1_690_000_000_000 });
  });

  it('reads a PID as an integer when it is one, else as written', () => {
    const text = (pid: string) =>
      journalLine({ ...base, SYSLOG_IDENTIFIER: 'x', SYSLOG_PID: pid, MESSAGE: 'm' })?.text;
    expect(text('0x1f')).toBe('x[31]: m');
    expect(text('012')).toBe('x[012]: m');
    expect(text('abc')).toBe('x[abc]: m');
  });

  it('leaves out what is missing', () => {
    expect(journalLine({ ...base, MESSAGE: 'bare' })?.text).toBe('bare');
    expect(journalLine({ ...base, _HOSTNAME: 'h', MESSAGE: 'no ident' })?.text).toBe('h no ident');
    expect(journalLine({ ...base, SYSLOG_IDENTIFIER: 'app', MESSAGE: 'no pid' })?.text).toBe('app: no pid');
  });

  it('decodes a binary MESSAGE, joins a repeated one, and shows newlines as \\n', () => {
    const bytes = [...Buffer.from('bad \xff byte\nnext', 'latin1')];
    expect(journalLine({ ...base, MESSAGE: bytes })?.text).toBe('bad \ufffd byte\\nnext');
    expect(journalLine({ ...base, MESSAGE: ['one', [116, 119, 111]] })?.text).toBe('one two');
  });

  it('stamps kernel lines with the monotonic time, as fail2ban does', () => {
    const line = journalLine({
      ...base,
      _HOSTNAME: 'h',
      SYSLOG_IDENTIFIER: 'kernel',
      __MONOTONIC_TIMESTAMP: '5123456',
      MESSAGE: 'IN=eth0 SRC=192.0.2.9',
    });
    expect(line?.text).toBe('h kernel: [    5.123456] IN=eth0 SRC=192.0.2.9');
  });

  it('skips an entry without a cursor or a time', () => {
    expect(journalLine({ MESSAGE: 'x', __REALTIME_TIMESTAMP: '1' })).toBeUndefined();
    expect(journalLine({ MESSAGE: 'x', __CURSOR: 'c' })).toBeUndefined();
  });
});
