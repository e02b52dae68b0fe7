import { describe, expect, it } from 'vitest';
import { decide, decideManual } from '../../../src/ban/decide.ts';
import type { Address } from '../../../src/core/address.ts';
import type { Verdict } from '../../../src/core/types.ts';

const A: Address = { text: '192.0.2.1', family: 4 };
const NOW = 1_700_000_000_000;
const verdict: Verdict = { address: A, failures: 5, time: NOW - 10 };

describe('decide', () => {
  it('ends the ban bantime after now', () => {
    expect(decide('sshd', verdict, 600_000, NOW)).toEqual({
      jail: 'sshd',
      address: A,
      bannedAt: NOW,
      expiresAt: NOW + 600_000,
      failures: 5,
      restored: false,
    });
  });

  it('bans forever when bantime is null (-1 in the config)', () => {
    const order = decide('sshd', verdict, null, NOW);
    expect(order.expiresAt).toBeNull();
    expect(order.bannedAt).toBe(NOW);
  });

  it('starts the ban at the decision time, not at the last failure', () => {
    expect(decide('sshd', verdict, 1000, NOW + 5).bannedAt).toBe(NOW + 5);
  });
});

describe('decideManual', () => {
  it('uses the jail bantime and counts no failures', () => {
    expect(decideManual('web', A, 60_000, NOW)).toEqual({
      jail: 'web',
      address: A,
      bannedAt: NOW,
      expiresAt: NOW + 60_000,
      failures: 0,
      restored: false,
    });
    expect(decideManual('web', A, null, NOW).expiresAt).toBeNull();
  });
});
