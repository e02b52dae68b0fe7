import { describe, expect, it } from 'vitest';
import { formatJailStatus, formatStatus } from '../../../src/cli/format.ts';
import { tutorialFile } from '../../support/config-dir.ts';

describe('banctl output', () => {
  it('prints status exactly as the tutorial shows fail2ban-client status', () => {
    // The tutorial was published through HTML, which turned the padding into non-breaking spaces.
    const tutorial = tutorialFile('status.txt').replaceAll('\u00a0', ' ').trimEnd();
    const out = formatStatus({ jails: ['webmin-iptables', 'fail2ban', 'ssh-iptables'] });
    expect(out).toBe(tutorial);
  });

  it("prints a jail's status in fail2ban-client's shape", () => {
    const out = formatJailStatus({
      name: 'sshd',
      currentlyFailed: 1,
      totalFailed: 7,
      files: ['/var/log/auth.log'],
      currentlyBanned: 2,
      totalBanned: 3,
      bannedAddresses: ['192.0.2.1', '2001:db8::1'],
    });
    expect(out).toBe(
      [
        'Status for the jail: sshd',
        '|- Filter',
        '|  |- Currently failed: 1',
        '|  |- Total failed:     7',
        '|  `- File list:        /var/log/auth.log',
        '`- Actions',
        '   |- Currently banned: 2',
        '   |- Total banned:     3',
        '   `- Banned IP list:   192.0.2.1 2001:db8::1',
      ].join('\n'),
    );
  });
});
