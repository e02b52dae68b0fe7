import { describe, expect, it } from 'vitest';
import { nftErrorCode } from '../../../src/firewall/nft-errno.ts';

describe('nftErrorCode', () => {
  it('names the errno in nft error text, or ENFT', () => {
    expect(nftErrorCode('Error: Could not process rule: No such file or directory')).toBe('ENOENT');
    expect(nftErrorCode('Error: Could not process rule: File exists')).toBe('EEXIST');
    expect(nftErrorCode('Error: Could not process rule: Operation not permitted')).toBe('EPERM');
    expect(nftErrorCode('Error: Could not process rule: Numerical result out of range')).toBe('ERANGE');
    expect(nftErrorCode('Error: syntax error, unexpected newline')).toBe('ENFT');
  });
});
