import { describe, expect, it } from 'vitest';
import { parseActionList } from '../../../src/config/action-list.ts';

describe('parseActionList', () => {
  it('reads the tutorial Webmin jail action over two lines', () => {
    const text =
      'iptables[name=webmin, port=10000, protocol=tcp]\nsendmail-whois[name=WEBMIN, dest=example@example.com, sender=example@example.com]';
    expect(parseActionList(text)).toEqual({
      calls: [
        { name: 'iptables', args: { name: 'webmin', port: '10000', protocol: 'tcp' } },
        {
          name: 'sendmail-whois',
          args: { name: 'WEBMIN', dest: 'example@example.com', sender: 'example@example.com' },
        },
      ],
    });
  });

  it('keeps commas inside quoted values and reads bare names', () => {
    expect(parseActionList('iptables-multiport[name=x, port="http,https", protocol="tcp"] dummy')).toEqual({
      calls: [
        { name: 'iptables-multiport', args: { name: 'x', port: 'http,https', protocol: 'tcp' } },
        { name: 'dummy', args: {} },
      ],
    });
  });

  it('lets a bracket stay open across lines', () => {
    expect(parseActionList('iptables[name=ssh,\n  port=ssh,\n  protocol=tcp]')).toEqual({
      calls: [{ name: 'iptables', args: { name: 'ssh', port: 'ssh', protocol: 'tcp' } }],
    });
  });

  it('reports malformed lists', () => {
    expect(parseActionList('iptables[name=ssh')).toEqual({ error: expect.stringContaining('missing "]"') });
    expect(parseActionList('iptables[port 22]')).toEqual({ error: expect.stringContaining('"="') });
    expect(parseActionList('iptables[port="22]')).toEqual({ error: expect.stringContaining('unterminated') });
    expect(parseActionList('iptables[port=22]x')).toEqual({ error: expect.stringContaining('unexpected') });
  });
});
