import { describe, expect, it } from 'vitest';
import { parsePorts, parseProtocol } from '../../../src/config/ports.ts';

describe('parsePorts', () => {
  it('reads numbers, fail2ban ranges and service names', () => {
    expect(parsePorts('10000')).toEqual({ ports: [{ from: 10000, to: 10000 }] });
    expect(parsePorts('ssh')).toEqual({ ports: [{ from: 22, to: 22 }] });
    expect(parsePorts('http,https')).toEqual({
      ports: [
        { from: 80, to: 80 },
        { from: 443, to: 443 },
      ],
    });
    expect(parsePorts('0:65535')).toEqual({ ports: [{ from: 0, to: 65535 }] });
    expect(parsePorts('1000-2000')).toEqual({ ports: [{ from: 1000, to: 2000 }] });
  });

  it('names the bad element', () => {
    expect(parsePorts('ssh,nosuchservice')).toEqual({ error: expect.stringContaining('"nosuchservice"') });
    expect(parsePorts('70000')).toEqual({ error: expect.stringContaining('"70000"') });
    expect(parsePorts('20:10')).toEqual({ error: expect.stringContaining('"20:10"') });
  });
});

describe('parseProtocol', () => {
  it('accepts what nft can match and rejects the rest', () => {
    expect(parseProtocol('TCP')).toBe('tcp');
    expect(parseProtocol('all')).toBe('all');
    expect(parseProtocol('icmp')).toBeUndefined();
  });
});
