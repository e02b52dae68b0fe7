import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/core/address.ts';
import type { BanOrder } from '../../../src/core/types.ts';
import { EVENT_GROUP, JailEvents } from '../../../src/jail/events.ts';
import { formatRecord } from '../../../src/log-text.ts';
import { captureLogger } from '../../support/fakes.ts';

const ip = (i: number) => parseAddress(`192.0.2.${i}`)!;
const T = 1_700_000_000_000;

function order(i: number, failures = 3, bantimeMs: number | null = 600_000): BanOrder {
  const expiresAt = bantimeMs === null ? null : T + bantimeMs;
  return { jail: 'sshd', address: ip(i), bannedAt: T, expiresAt, failures, restored: false };
}

/** The fail2ban text lines the records make, as the text log writes them. */
function textLines(records: Record<string, unknown>[]): string[] {
  return records
    .flatMap((r) => formatRecord({ ...r, jail: 'sshd' } as never, 'legacy', 1).split('\n'))
    .map((line) => line.replace(/^.*\[sshd\] /, ''));
}

describe('JailEvents', () => {
  it("logs a tick's found addresses in one record, at the end of the tick", async () => {
    const { log, records } = captureLogger('info');
    const events = new JailEvents(log);
    for (let i = 1; i <= 3; i++) events.found(ip(i));
    expect(records).toEqual([]);
    await Promise.resolve();
    expect(records.map((r) => r.ips)).toEqual([['192.0.2.1', '192.0.2.2', '192.0.2.3']]);
    expect(textLines(records)).toEqual(['Found 192.0.2.1', 'Found 192.0.2.2', 'Found 192.0.2.3']);
  });

  it('logs found addresses before a ban, so Found lines precede their Ban line', () => {
    const { log, records } = captureLogger('info');
    const events = new JailEvents(log);
    events.found(ip(1));
    events.found(ip(1));
    events.banned([order(1)]);
    events.unbanned(ip(1));
    expect(textLines(records)).toEqual([
      'Found 192.0.2.1',
      'Found 192.0.2.1',
      'Ban 192.0.2.1',
      'Unban 192.0.2.1',
    ]);
    expect(records[1]).toMatchObject({ event: 'ban', ip: '192.0.2.1', failures: 3, bantime: 600 });
  });

  it('groups found addresses by EVENT_GROUP at most', async () => {
    const { log, records } = captureLogger('info');
    const events = new JailEvents(log);
    for (let i = 0; i < EVENT_GROUP + 2; i++) events.found(ip(1));
    await Promise.resolve();
    expect(records.map((r) => (r.ips as string[]).length)).toEqual([EVENT_GROUP, 2]);
  });

  it('logs nothing below info', async () => {
    const { log, records } = captureLogger('warn');
    new JailEvents(log).found(ip(1));
    await Promise.resolve();
    expect(records).toEqual([]);
  });

  it('groups runs of alike bans, keeping their order, failures and bantime', () => {
    const { log, records } = captureLogger('info');
    const orders = [order(1), order(2), order(3, 4), order(4, 4, null), order(5, 4, null)];
    new JailEvents(log).banned(orders);
    expect(records.map((r) => [r.ip ?? r.ips, r.failures, r.bantime])).toEqual([
      [['192.0.2.1', '192.0.2.2'], 3, 600],
      ['192.0.2.3', 4, 600],
      [['192.0.2.4', '192.0.2.5'], 4, -1],
    ]);
    expect(textLines(records)).toEqual([1, 2, 3, 4, 5].map((i) => `Ban 192.0.2.${i}`));
  });

  it('splits a long run of bans by EVENT_GROUP', () => {
    const { log, records } = captureLogger('info');
    new JailEvents(log).banned(Array.from({ length: EVENT_GROUP + 1 }, (_, i) => order((i % 250) + 1)));
    expect(records.map((r) => r.bans ?? 1)).toEqual([EVENT_GROUP, 1]);
  });
});
