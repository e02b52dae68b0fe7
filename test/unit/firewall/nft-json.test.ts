import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/core/address.ts';
import { ruleHandles, setElements } from '../../../src/firewall/nft-json.ts';

// Shapes copied from `nft -j list …` output of nft 1.0.6.
const meta = { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } };

describe('setElements', () => {
  it('reads bare (permanent) and timed elements, skipping what is not an address', () => {
    const doc = {
      nftables: [
        meta,
        {
          set: {
            family: 'inet',
            name: 'sshd-v6',
            elem: [
              { elem: { val: 'fd00:213:1::2', timeout: 500, expires: 499 } },
              'fd00::9',
              { elem: { val: { prefix: { addr: '10.0.0.0', len: 8 } } } },
            ],
          },
        },
      ],
    };
    expect(setElements(doc)).toEqual([
      { address: parseAddress('fd00:213:1::2'), expiresInMs: 499_000 },
      { address: parseAddress('fd00::9'), expiresInMs: null },
    ]);
  });

  it('returns nothing for an empty set or an unexpected document', () => {
    expect(setElements({ nftables: [meta, { set: { name: 'x' } }] })).toEqual([]);
    expect(setElements(null)).toEqual([]);
    expect(setElements({ nftables: 'nope' })).toEqual([]);
  });
});

describe('ruleHandles', () => {
  it('matches the comment exactly', () => {
    const doc = {
      nftables: [
        meta,
        { chain: { name: 'input', handle: 1 } },
        { rule: { handle: 4, comment: 'banhammer:sshd' } },
        { rule: { handle: 5, comment: 'banhammer:sshd-ddos' } },
        { rule: { handle: 6 } },
      ],
    };
    expect(ruleHandles(doc, 'banhammer:sshd')).toEqual([4]);
  });
});
