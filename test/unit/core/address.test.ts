import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { type Address, parseAddress, parseLoggedAddress, parseNetwork } from '../../../src/core/address.ts';

const addr = (text: string): Address => {
  const a = parseAddress(text);
  if (!a) throw new Error(`test setup: ${text} is not an address`);
  return a;
};

describe('parseLoggedAddress', () => {
  it('reads zero-padded octets as decimal, and every other quad as parseAddress does', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 20;
    };
    const octet = () =>
      ['0', '9', '10', '99', '100', '199', '200', '255', '256', '00', '030', '000', '099', '0255', '1a'][
        next() % 15
      ]!;
    for (let round = 0; round < 3000; round++) {
      const text = [octet(), octet(), octet(), octet()].join('.');
      const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
      const want = parts
        ? parts.slice(1).every((o) => Number(o) <= 255)
          ? parts.slice(1).map(Number).join('.')
          : undefined
        : parseAddress(text)?.text;
      expect(parseLoggedAddress(text)?.text, text).toBe(want);
    }
    expect(parseLoggedAddress('192.030.000.006')).toEqual({ text: '192.30.0.6', family: 4 });
    expect(parseLoggedAddress('2001:DB8::1')).toEqual({ text: '2001:db8::1', family: 6 });
  });
});

describe('parseAddress', () => {
  it('keeps a dotted quad as it is', () => {
    expect(parseAddress('192.0.2.1')).toEqual({ text: '192.0.2.1', family: 4 });
    expect(parseAddress('0.0.0.0')).toEqual({ text: '0.0.0.0', family: 4 });
    expect(parseAddress('255.255.255.255')).toEqual({ text: '255.255.255.255', family: 4 });
  });

  it('writes IPv6 in RFC 5952 form: lower case, zeros compressed once, longest run', () => {
    expect(parseAddress('2001:DB8:0:0:0:0:0:1')).toEqual({ text: '2001:db8::1', family: 6 });
    expect(parseAddress('2001:db8::0:1')).toEqual({ text: '2001:db8::1', family: 6 });
    expect(parseAddress('2001:db8:0:0:1:0:0:1')).toEqual({ text: '2001:db8::1:0:0:1', family: 6 });
    expect(parseAddress('::1')).toEqual({ text: '::1', family: 6 });
    expect(parseAddress('::')).toEqual({ text: '::', family: 6 });
  });

  it('turns IPv4-mapped IPv6, dotted or hex, into plain IPv4', () => {
    expect(parseAddress('::ffff:192.0.2.1')).toEqual({ text: '192.0.2.1', family: 4 });
    expect(parseAddress('::FFFF:192.0.2.1')).toEqual({ text: '192.0.2.1', family: 4 });
    expect(parseAddress('::ffff:7f00:1')).toEqual({ text: '127.0.0.1', family: 4 });
  });

  it('rejects legacy and out-of-range IPv4 forms', () => {
    for (const text of ['127.1', '1.2.3', '0x7f.0.0.1', '010.1.1.1', '999.1.1.1', '1.2.3.256']) {
      expect(parseAddress(text), text).toBeUndefined();
    }
  });

  it('reads every dotted quad as ipaddr.js with four decimal parts does, canonical or not', () => {
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 20;
    };
    // Octets around the edges of the fast path's pattern: 0-9, 99/100, 199/200, 249-256, padded.
    const octet = () =>
      ['0', '9', '10', '99', '100', '199', '200', '249', '250', '255', '256', '00', '07', '099'][
        next() % 14
      ]!;
    for (let round = 0; round < 3000; round++) {
      const text = [octet(), octet(), octet(), String(next() % 300)].join('.');
      const slow = ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.parse(text).toString() : undefined;
      expect(parseAddress(text)?.text, text).toBe(slow);
    }
  });

  it('rejects zone ids', () => {
    expect(parseAddress('fe80::1%eth0')).toBeUndefined();
    expect(parseAddress('fe80::1%25eth0')).toBeUndefined();
  });

  it('rejects a zone id on an IPv4-mapped address too', () => {
    expect(parseAddress('::ffff:192.0.2.1%eth0')).toBeUndefined();
  });

  it('rejects garbage, empty text, padding, brackets and CIDR suffixes', () => {
    for (const text of [
      '',
      'garbage',
      'example.org',
      ' 192.0.2.1',
      '192.0.2.1 ',
      '[::1]',
      '192.0.2.1/32',
      ':::',
    ]) {
      expect(parseAddress(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});

describe('parseNetwork', () => {
  it('contains everything of its family at /0', () => {
    const v4 = parseNetwork('0.0.0.0/0')!;
    expect(v4.text).toBe('0.0.0.0/0');
    expect(v4.contains(addr('203.0.113.9'))).toBe(true);
    expect(v4.contains(addr('255.255.255.255'))).toBe(true);
    const v6 = parseNetwork('::/0')!;
    expect(v6.contains(addr('2001:db8::1'))).toBe(true);
  });

  it('contains exactly the addresses of a /8', () => {
    const n = parseNetwork('10.0.0.0/8')!;
    expect(n).toMatchObject({ text: '10.0.0.0/8', family: 4 });
    expect(n.contains(addr('10.0.0.0'))).toBe(true);
    expect(n.contains(addr('10.255.255.255'))).toBe(true);
    expect(n.contains(addr('11.0.0.0'))).toBe(false);
    expect(n.contains(addr('9.255.255.255'))).toBe(false);
  });

  it('treats a bare address as a /32 that contains only itself', () => {
    const n = parseNetwork('192.0.2.7')!;
    expect(n.text).toBe('192.0.2.7/32');
    expect(n.contains(addr('192.0.2.7'))).toBe(true);
    expect(n.contains(addr('192.0.2.8'))).toBe(false);
    expect(parseNetwork('192.0.2.7/32')!.contains(addr('192.0.2.7'))).toBe(true);
  });

  it('matches an IPv6 /64 and canonicalises its text', () => {
    const n = parseNetwork('2001:DB8:0:1::/64')!;
    expect(n).toMatchObject({ text: '2001:db8:0:1::/64', family: 6 });
    expect(n.contains(addr('2001:db8:0:1:ffff:ffff:ffff:ffff'))).toBe(true);
    expect(n.contains(addr('2001:db8:0:2::1'))).toBe(false);
  });

  it('agrees with ipaddr.js on random networks and addresses of both families, every prefix length', () => {
    let seed = 7;
    const byte = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let round = 0; round < 2000; round++) {
      const v6 = round % 2 === 1;
      const base = Array.from({ length: v6 ? 16 : 4 }, byte);
      // Half the addresses share the base's first bytes, so prefixes of every length are tested.
      const other = base.map((b, i) => (i < byte() % base.length || byte() < 16 ? b : byte()));
      const text = (bytes: number[]) => ipaddr.fromByteArray(bytes).toString();
      const bits = byte() % (v6 ? 129 : 33);
      const n = parseNetwork(`${text(base)}/${bits}`);
      const a = addr(text(other));
      if (!n || a.family !== n.family) continue;
      const want = ipaddr.parse(a.text).match(ipaddr.parse(text(base)), bits);
      expect(n.contains(a), `${n.text} ∋ ${a.text}`).toBe(want);
    }
  });

  it('never contains an address of the other family', () => {
    expect(parseNetwork('0.0.0.0/0')!.contains(addr('::1'))).toBe(false);
    expect(parseNetwork('::/0')!.contains(addr('192.0.2.1'))).toBe(false);
    // A mapped address is IPv4 after parsing, so an IPv6 network does not hold it.
    expect(parseNetwork('::/0')!.contains(addr('::ffff:192.0.2.1'))).toBe(false);
  });

  it('rejects bad prefixes and bad bases', () => {
    for (const text of [
      '192.0.2.0/33',
      '2001:db8::/129',
      '192.0.2.0/',
      '192.0.2.0/-1',
      '192.0.2.0/a',
      '192.0.2.0/24/1',
      '192.0.2.0/1000',
      '127.1/8',
      'garbage/8',
      '',
    ]) {
      expect(parseNetwork(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
