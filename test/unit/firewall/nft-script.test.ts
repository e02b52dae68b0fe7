import { describe, expect, it } from 'vitest';
import { type Address, parseAddress } from '../../../src/core/address.ts';
import type { BlockRule } from '../../../src/core/types.ts';
import {
  checkName,
  formatTimeout,
  renderAddJail,
  renderDeleteTable,
  renderElements,
  renderMatch,
  renderRemoveJail,
  timeoutSeconds,
} from '../../../src/firewall/nft-script.ts';

const addr = (text: string): Address => parseAddress(text)!;
const ssh: BlockRule = { ports: [{ from: 22, to: 22 }], protocol: 'tcp' };

describe('renderAddJail', () => {
  it('creates the table, chain, both sets and a v4 and v6 rule per block rule', () => {
    expect(renderAddJail('banhammer', 'sshd', [ssh], [])).toBe(
      [
        'add table inet banhammer',
        'add chain inet banhammer input { type filter hook input priority filter - 1; policy accept; }',
        'add set inet banhammer sshd-v4 { type ipv4_addr; flags timeout; }',
        'add set inet banhammer sshd-v6 { type ipv6_addr; flags timeout; }',
        'add rule inet banhammer input ip saddr @sshd-v4 tcp dport { 22 } drop comment "banhammer:sshd"',
        'add rule inet banhammer input ip6 saddr @sshd-v6 tcp dport { 22 } drop comment "banhammer:sshd"',
        '',
      ].join('\n'),
    );
  });

  it('deletes the previous rules by handle before adding the new ones', () => {
    const lines = renderAddJail('bh', 'sshd', [ssh], [4, 7]).split('\n');
    expect(lines.slice(4, 6)).toEqual([
      'delete rule inet bh input handle 4',
      'delete rule inet bh input handle 7',
    ]);
    expect(lines[6]).toMatch(/^add rule inet bh input ip saddr @sshd-v4 /);
  });

  it('rejects a bad rule before rendering anything', () => {
    expect(() => renderAddJail('bh', 'sshd', [{ ports: [], protocol: 'tcp' }], [])).toThrow(TypeError);
    expect(() => renderAddJail('bh', 'sshd', [ssh], [0])).toThrow(/rule handle/);
  });
});

describe('renderMatch', () => {
  it.each<[BlockRule, string]>([
    [ssh, ' tcp dport { 22 }'],
    [
      {
        ports: [
          { from: 80, to: 80 },
          { from: 1000, to: 2000 },
        ],
        protocol: 'udp',
      },
      ' udp dport { 80, 1000-2000 }',
    ],
    [{ ports: 'all', protocol: 'sctp' }, ' meta l4proto sctp'],
    [{ ports: 'all', protocol: 'all' }, ''],
    [
      { ports: [{ from: 53, to: 53 }], protocol: 'all' },
      ' meta l4proto { tcp, udp, sctp, dccp } th dport { 53 }',
    ],
  ])('%j renders %j', (rule, text) => {
    expect(renderMatch(rule)).toBe(text);
  });

  it.each([
    { from: 2000, to: 1000 },
    { from: -1, to: 5 },
    { from: 1, to: 65_536 },
    { from: 1.5, to: 2 },
  ])('rejects the port range %j', (range) => {
    expect(() => renderMatch({ ports: [range], protocol: 'tcp' })).toThrow(/port range/);
  });

  it('rejects an unknown protocol', () => {
    expect(() => renderMatch({ ports: 'all', protocol: 'icmp' as 'tcp' })).toThrow(/protocol/);
  });
});

describe('element operations', () => {
  it('renders an add of an element known absent as one plain add', () => {
    const text = renderElements('bh', [
      { kind: 'add', jail: 'sshd', address: addr('192.0.2.7'), timeoutS: 600 },
      { kind: 'add', jail: 'sshd', address: addr('2001:db8::1'), timeoutS: null },
    ]);
    expect(text).toBe(
      [
        'add element inet bh sshd-v4 { 192.0.2.7 timeout 600s }',
        'add element inet bh sshd-v6 { 2001:db8::1 }',
        '',
      ].join('\n'),
    );
  });

  it('puts a run of adds to one set on one line, and starts a new line at any other operation', () => {
    const text = renderElements('bh', [
      { kind: 'add', jail: 'sshd', address: addr('192.0.2.1'), timeoutS: 60 },
      { kind: 'add', jail: 'sshd', address: addr('192.0.2.2'), timeoutS: null },
      { kind: 'add', jail: 'sshd', address: addr('2001:db8::1'), timeoutS: 90_061 },
      { kind: 'add', jail: 'sshd', address: addr('192.0.2.3'), timeoutS: 5 },
      { kind: 'add', jail: 'web', address: addr('192.0.2.3'), timeoutS: 5 },
      { kind: 'unban', jail: 'web', address: addr('192.0.2.4') },
      { kind: 'add', jail: 'web', address: addr('192.0.2.5'), timeoutS: 7 },
    ]);
    expect(text).toBe(
      [
        'add element inet bh sshd-v4 { 192.0.2.1 timeout 60s, 192.0.2.2 }',
        'add element inet bh sshd-v6 { 2001:db8::1 timeout 1d3661s }',
        'add element inet bh sshd-v4 { 192.0.2.3 timeout 5s }',
        'add element inet bh web-v4 { 192.0.2.3 timeout 5s }',
        'add element inet bh web-v4 { 192.0.2.4 timeout 1s }',
        'delete element inet bh web-v4 { 192.0.2.4 }',
        'add element inet bh web-v4 { 192.0.2.5 timeout 7s }',
        '',
      ].join('\n'),
    );
  });

  it('bans with add, delete, add so a present element gets the new timeout', () => {
    const text = renderElements('bh', [
      { kind: 'ban', jail: 'sshd', address: addr('192.0.2.7'), timeoutS: 600 },
    ]);
    expect(text).toBe(
      [
        'add element inet bh sshd-v4 { 192.0.2.7 timeout 600s }',
        'delete element inet bh sshd-v4 { 192.0.2.7 }',
        'add element inet bh sshd-v4 { 192.0.2.7 timeout 600s }',
        '',
      ].join('\n'),
    );
  });

  it('puts IPv6 in the v6 set and a permanent ban has no timeout', () => {
    const text = renderElements('bh', [
      { kind: 'ban', jail: 'sshd', address: addr('2001:db8::1'), timeoutS: null },
    ]);
    expect(text.split('\n')[2]).toBe('add element inet bh sshd-v6 { 2001:db8::1 }');
  });

  it('unbans with add 1s then delete, so an absent element is not an error', () => {
    const text = renderElements('bh', [{ kind: 'unban', jail: 'web', address: addr('192.0.2.7') }]);
    expect(text).toBe(
      'add element inet bh web-v4 { 192.0.2.7 timeout 1s }\ndelete element inet bh web-v4 { 192.0.2.7 }\n',
    );
  });

  it('keeps the order of operations', () => {
    const text = renderElements('bh', [
      { kind: 'ban', jail: 'a', address: addr('192.0.2.1'), timeoutS: 5 },
      { kind: 'unban', jail: 'a', address: addr('192.0.2.1') },
    ]);
    expect(text.split('\n').map((l) => l.split(' ')[0])).toEqual([
      'add',
      'delete',
      'add',
      'add',
      'delete',
      '',
    ]);
  });

  it('renders nothing for no operations', () => {
    expect(renderElements('bh', [])).toBe('');
  });
});

describe('timeouts', () => {
  it('rounds the time left up to whole seconds, at least 1', () => {
    expect(timeoutSeconds(10_001, 0)).toBe(11);
    expect(timeoutSeconds(3000, 0)).toBe(3);
    expect(timeoutSeconds(500, 1000)).toBe(1);
    expect(timeoutSeconds(null, 1000)).toBeNull();
  });

  it('caps at a century, below the kernel and parser limits', () => {
    expect(timeoutSeconds(Number.MAX_SAFE_INTEGER, 0)).toBe(36_500 * 86_400);
  });

  it('formats days separately so nft 1.0.6 never sees more than 8 digits', () => {
    expect(formatTimeout(59)).toBe('59s');
    expect(formatTimeout(86_400)).toBe('1d0s');
    expect(formatTimeout(90_061)).toBe('1d3661s');
    expect(formatTimeout(36_500 * 86_400)).toBe('36500d0s');
    expect(() => formatTimeout(0)).toThrow(TypeError);
  });
});

describe('names', () => {
  it.each(['sshd', 'nginx-http-auth', 'nginx_limit_req', 'postfix-sasl', '_x', '.x', 'a/b', 'Sshd.2'])(
    'accepts %j',
    (name) => {
      expect(checkName('jail', name)).toBe(name);
    },
  );

  it.each(['', '3proxy', 'a b', 'a"b', 'a;b', 'a}', 'x:y', 'ä', 'sshd\n', 'x'.repeat(119)])(
    'rejects %j',
    (name) => {
      expect(() => checkName('jail', name)).toThrow(TypeError);
      expect(() => renderElements('bh', [{ kind: 'unban', jail: name, address: addr('192.0.2.1') }])).toThrow(
        /jail name/,
      );
    },
  );

  it('validates the table name too', () => {
    expect(() => renderDeleteTable('bad table')).toThrow(/table name/);
    expect(() => renderAddJail('x;flush ruleset', 'sshd', [ssh], [])).toThrow(/table name/);
  });
});

describe('renderRemoveJail and renderDeleteTable', () => {
  it('deletes rules, then the sets, idempotently', () => {
    expect(renderRemoveJail('bh', 'sshd', [9]).split('\n')).toEqual([
      'delete rule inet bh input handle 9',
      'add set inet bh sshd-v4 { type ipv4_addr; flags timeout; }',
      'add set inet bh sshd-v6 { type ipv6_addr; flags timeout; }',
      'delete set inet bh sshd-v4',
      'delete set inet bh sshd-v6',
      '',
    ]);
  });

  it('deletes the table after making sure it exists', () => {
    expect(renderDeleteTable('banhammer')).toBe('add table inet banhammer\ndelete table inet banhammer\n');
  });
});
