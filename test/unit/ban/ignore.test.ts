import { describe, expect, it } from 'vitest';
import { isIgnored } from '../../../src/ban/ignore.ts';
import { type Address, type Network, parseAddress, parseNetwork } from '../../../src/core/address.ts';

const addr = (text: string): Address => parseAddress(text)!;
const nets = (...texts: string[]): Network[] => texts.map((t) => parseNetwork(t)!);

describe('isIgnored', () => {
  it('ignores nothing with no networks and no own addresses', () => {
    expect(isIgnored(addr('192.0.2.1'), [], [])).toBe(false);
  });

  it('ignores addresses inside any ignoreip network, IPv4 and IPv6', () => {
    const ignoreip = nets('127.0.0.1/8', '10.0.0.0/8', '2001:db8::/32');
    expect(isIgnored(addr('127.0.0.1'), ignoreip, [])).toBe(true);
    expect(isIgnored(addr('10.20.30.40'), ignoreip, [])).toBe(true);
    expect(isIgnored(addr('2001:db8:1::5'), ignoreip, [])).toBe(true);
    expect(isIgnored(addr('192.0.2.1'), ignoreip, [])).toBe(false);
    expect(isIgnored(addr('2001:db9::1'), ignoreip, [])).toBe(false);
  });

  it('ignores an IPv4-mapped address as the IPv4 address it is', () => {
    expect(isIgnored(addr('::ffff:10.1.2.3'), nets('10.0.0.0/8'), [])).toBe(true);
  });

  it("ignores the machine's own addresses, exactly", () => {
    const own = [addr('198.51.100.7'), addr('2001:db8::7')];
    expect(isIgnored(addr('198.51.100.7'), [], own)).toBe(true);
    expect(isIgnored(addr('2001:DB8:0::7'), [], own)).toBe(true);
    expect(isIgnored(addr('198.51.100.8'), [], own)).toBe(false);
  });
});
