import { hostname } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import {
  dynamicTags,
  expandStatic,
  MAX_STATIC_PASSES,
  render,
  reversePointer,
} from '../../../src/actions/render.ts';
import { TemplateError } from '../../../src/actions/shell-quote.ts';
import type { ActionEvent } from '../../../src/ban/ports.ts';
import { parseAddress } from '../../../src/core/address.ts';
import { HOSTILE, runIn } from './sh-kit.ts';

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);

function event(over: Partial<ActionEvent> = {}): ActionEvent {
  return {
    jail: 'sshd',
    address: parseAddress('192.0.2.7')!,
    failures: 5,
    time: NOW,
    bantimeMs: 600_000,
    banCount: 2,
    matches: ['line one', 'line two'],
    fields: {},
    ipMatches: () => ['any jail'],
    ipJailMatches: () => ['this jail'],
    restored: false,
    ...over,
  };
}

describe('expandStatic', () => {
  it('substitutes option tags raw and recursively, leaving unknown tags as written', () => {
    const values = { a: '<b>-<c>', b: 'B<c>', c: 'C', q: `'"$x"'` };
    expect(expandStatic('<a> <q> <nosuch> <ip>', values)).toBe(`BC-C '"$x"' <nosuch> <ip>`);
  });

  it('builds a tag name from another tag, as fail2ban`s <ipt_<type>/_chain_rule>', () => {
    const values = { type: 'oneport', 'ipt_oneport/_chain_rule': '-p tcp --dport 22' };
    expect(expandStatic('iptables <ipt_<type>/_chain_rule>', values)).toBe('iptables -p tcp --dport 22');
  });

  it('knows <br> and <sp>, which an option may override', () => {
    expect(expandStatic('a<br>b<sp>c', {})).toBe('a\nb c');
    expect(expandStatic('a<sp>b', { sp: '_' })).toBe('a_b');
  });

  it('gives up on self-reference after a bounded number of passes', () => {
    expect(() => expandStatic('<a>', { a: 'x<a>' })).toThrow(TemplateError);
    expect(() => expandStatic('<a>', { a: '<b>', b: '<a>' })).toThrow(`after ${MAX_STATIC_PASSES} passes`);
    // Doubling at each pass hits the length bound before the pass bound.
    expect(() => expandStatic('<a>', { a: '<a><a>' })).toThrow(/characters|passes/);
    expect(expandStatic('<a>', { a: '<a>' })).toBe('<a>');
  });

  it('does not let options shadow dynamic tags, and prefers a conditional value', () => {
    expect(expandStatic('<ip> <matches> <F-USER>', { ip: '6.6.6.6', matches: 'x', 'F-USER': 'y' })).toBe(
      '<ip> <matches> <F-USER>',
    );
    const values = { blocktype: 'REJECT', 'blocktype?family=inet6': 'DROP6' };
    expect(expandStatic('<blocktype>', values, 'family=inet6')).toBe('DROP6');
    expect(expandStatic('<blocktype>', values, 'family=inet4')).toBe('REJECT');
    expect(expandStatic('<constructor> <toString>', {})).toBe('<constructor> <toString>');
  });
});

describe('dynamic tags', () => {
  it('renders every ban value fail2ban names, quoted', () => {
    const tags = dynamicTags({ event: event({ bantimeMs: null, restored: true }), now: NOW });
    const seconds = String(NOW / 1000);
    expect(
      ['ip', 'ip-rev', 'family', 'failures', 'time', 'bantime', 'bancount', 'restored'].map((n) => tags(n)),
    ).toEqual(['192.0.2.7', '7.2.0.192.', 'inet4', '5', seconds, '-1', '2', '1']);
    expect(tags('bantime')).toBe('-1');
    expect(dynamicTags({ event: event(), now: 0 })('bantime')).toBe('600');
    expect(tags('matches')).toBe('line one\nline two');
    expect(tags('ipmatches')).toBe('any jail');
    expect(tags('ipjailmatches')).toBe('this jail');
    expect(tags('fq-hostname')).toBe(hostname());
    expect(tags('nosuch')).toBeUndefined();
  });

  it('reverses IPv6 nibbles for <ip-rev>', () => {
    expect(reversePointer(parseAddress('2001:db8::1')!)).toBe(
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.',
    );
  });

  it('reads the stored matches only when a template asks for them', () => {
    const ipMatches = vi.fn(() => ['x']);
    render('echo <ip> <matches>', { values: {}, event: event({ ipMatches }), now: NOW });
    expect(ipMatches).not.toHaveBeenCalled();
    render('echo <ipmatches> <ipmatches>', { values: {}, event: event({ ipMatches }), now: NOW });
    expect(ipMatches).toHaveBeenCalledTimes(1);
  });

  it("takes filter captures from the event's fields; an absent one is empty", () => {
    const input = { values: {}, event: event({ fields: { user: "ro'ot", fid: 'x1' } }), now: NOW };
    expect(render('echo <F-USER> <F-ID> <F-NONE>', input)).toBe(`echo 'ro'\\''ot' 'x1' ''`);
  });

  it('without an event, gives empty ban values and the current time', () => {
    expect(render('echo <ip> <time> <restored>', { values: {}, now: NOW })).toBe(
      `echo '' '${NOW / 1000}' '0'`,
    );
  });

  it('drops NUL, which no command line can carry', () => {
    expect(render('echo <matches>', { values: {}, event: event({ matches: ['a\0b'] }), now: NOW })).toBe(
      "echo 'ab'",
    );
  });
});

describe('render', () => {
  it('expands options first, then quotes dynamic tags where the expanded text puts them', () => {
    const values = { msg: '"banned <ip> after <failures>"', log: '/tmp/x' };
    expect(render('echo <msg> >> <log>', { values, event: event(), now: NOW })).toBe(
      `echo "banned "'192.0.2.7'" after "'5'"" >> /tmp/x`,
    );
  });

  it('delivers hostile matches literally through /bin/sh in a realistic mail-like template', () => {
    const values = { dest: 'root', body: 'Lines:<br><matches><br>--' };
    const template = 'printf %s "Subject: <ip> banned by <name>\n<body>" > OUT';
    for (const bad of HOSTILE) {
      const command = render(template, {
        values: { ...values, name: 'sshd' },
        event: event({ matches: [bad] }),
        now: NOW,
      });
      const run = runIn('/bin/sh', command);
      expect({ bad, files: run.files, out: run.out }).toEqual({
        bad,
        files: ['OUT'],
        out: `Subject: 192.0.2.7 banned by sshd\nLines:\n${bad}\n--`,
      });
    }
  });
});
