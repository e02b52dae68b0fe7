import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IniDocument } from '../../../src/config/ini.ts';
import { entry, keys, layer, ownKeys, parseIni, resolve, sections } from '../../../src/config/ini.ts';
import { fail2banPackage } from '../../support/fail2ban-package.ts';

function parse(text: string, file = 'jail.conf'): IniDocument {
  const { document, problems } = parseIni(text, file);
  expect(problems).toEqual([]);
  return document;
}

function value(doc: IniDocument, section: string, key: string, extra?: Record<string, string>): string {
  const r = resolve(doc, section, key, extra);
  if (r === undefined || 'problem' in r) throw new Error(`${section}.${key}: ${JSON.stringify(r)}`);
  return r.value;
}

function problem(doc: IniDocument, section: string, key: string, extra?: Record<string, string>) {
  const r = resolve(doc, section, key, extra);
  if (r === undefined || !('problem' in r)) throw new Error(`${section}.${key}: expected a problem`);
  return r.problem;
}

const raw = (doc: IniDocument, section: string, key: string) => entry(doc, section, key)?.value;

describe('parseIni', () => {
  it('reads sections in order, names verbatim and trimmed, with their header line', () => {
    const doc = parse('# top\n[Sshd]\na = 1\n[  nginx auth  ]\nb = 2\n[sshd]\nc = 3\n');
    expect(sections(doc)).toEqual(['Sshd', 'nginx auth', 'sshd']);
    expect(doc.sections.get('nginx auth')).toMatchObject({ file: 'jail.conf', line: 4 });
    expect(raw(doc, 'Sshd', 'c')).toBeUndefined();
  });

  it('splits on the first "=" or ":", lower-cases and trims keys, trims values, allows empty values', () => {
    const doc = parse('[s]\n  MaxRetry  =  5  \nurl: http://x/?a=b\nk = a: b\nempty =\n');
    expect(ownKeys(doc, 's')).toEqual(['maxretry', 'url', 'k', 'empty']);
    expect(raw(doc, 's', 'MAXRETRY')).toBe('5');
    expect(raw(doc, 's', 'url')).toBe('http://x/?a=b');
    expect(raw(doc, 's', 'k')).toBe('a: b');
    expect(raw(doc, 's', 'empty')).toBe('');
  });

  it('skips full-line comments and cuts inline comments only at ";" after whitespace', () => {
    const doc = parse('; c1\n[s]\n# c2\n   ; c3\na = x ; note\nb = x;y\nc = #x # y\nd =\t; only a comment\n');
    expect(ownKeys(doc, 's')).toEqual(['a', 'b', 'c', 'd']);
    expect(raw(doc, 's', 'a')).toBe('x');
    expect(raw(doc, 's', 'b')).toBe('x;y');
    expect(raw(doc, 's', 'c')).toBe('#x # y');
    expect(raw(doc, 's', 'd')).toBe('');
  });

  it('joins indented continuation lines with "\\n", keeping inner blank lines and skipping comments', () => {
    const text = '[s]\na = one\n   two  \n\n\tthree ; why\n# note\n  ; note\n  four\n\n\nb = x\n';
    const doc = parse(text);
    expect(raw(doc, 's', 'a')).toBe('one\ntwo\n\nthree\nfour');
    expect(entry(doc, 's', 'a')?.line).toBe(2);
    expect(raw(doc, 's', 'b')).toBe('x');
  });

  it('continues a value only on lines indented deeper than its key line', () => {
    const doc = parse('[s]\n  a = 1\n  b = 2\n    more\n');
    expect(raw(doc, 's', 'a')).toBe('1');
    expect(raw(doc, 's', 'b')).toBe('2\nmore');
  });

  it('treats NO-BREAK SPACE and other Unicode spaces exactly like ASCII spaces', () => {
    const doc = parse(
      '[webmin-iptables]\nenabled\u00a0 = true\nfilter\u00a0 \u00a0 = webmin-auth\n' +
        'action\u00a0 \u00a0 = iptables[name=webmin, port=10000, protocol=tcp]\n' +
        '\u00a0sendmail-whois[name=WEBMIN, dest=example@example.com, sender=example@example.com]\n' +
        'logpath\u00a0 = /var/log/secure\n',
    );
    expect(ownKeys(doc, 'webmin-iptables')).toEqual(['enabled', 'filter', 'action', 'logpath']);
    expect(value(doc, 'webmin-iptables', 'enabled')).toBe('true');
    expect(value(doc, 'webmin-iptables', 'filter')).toBe('webmin-auth');
    expect(value(doc, 'webmin-iptables', 'action')).toBe(
      'iptables[name=webmin, port=10000, protocol=tcp]\n' +
        'sendmail-whois[name=WEBMIN, dest=example@example.com, sender=example@example.com]',
    );
    expect(value(doc, 'webmin-iptables', 'logpath')).toBe('/var/log/secure');

    const wide = parse('[s]\u3000\na\u2003=\u2003x\u00a0;\u00a0note\n\u3000y\u202f\n');
    expect(raw(wide, 's', 'a')).toBe('x\ny');
  });

  it('parses a pasted jail with a NBSP-indented action and comments between keys', () => {
    const doc = parse(
      '[fail2ban]\nenabled = true\nfilter = fail2ban\naction = iptables-allports[name=fail2ban]\n' +
        '\u00a0sendmail-whois[name=fail2ban, dest=example@example.com, sender=example@example.com]\n' +
        'logpath = /var/log/fail2ban.log\nmaxretry=10\n# Search past week\nfindtime = 604800\n' +
        '# Ban for 30 days\nbantime = 2592000\n',
    );
    const got = Object.fromEntries(ownKeys(doc, 'fail2ban').map((k) => [k, value(doc, 'fail2ban', k)]));
    expect(got).toEqual({
      enabled: 'true',
      filter: 'fail2ban',
      action:
        'iptables-allports[name=fail2ban]\n' +
        'sendmail-whois[name=fail2ban, dest=example@example.com, sender=example@example.com]',
      logpath: '/var/log/fail2ban.log',
      maxretry: '10',
      findtime: '604800',
      bantime: '2592000',
    });
    expect(entry(doc, 'fail2ban', 'bantime')?.line).toBe(11);
  });

  it('accepts a UTF-8 BOM and CRLF or CR line ends', () => {
    const doc = parse('\ufeff[s]\r\na = 1\r\n  2\r\nb = 3\rc = 4\r\n');
    expect(sections(doc)).toEqual(['s']);
    expect(raw(doc, 's', 'a')).toBe('1\n2');
    expect(entry(doc, 's', 'c')?.line).toBe(5);
  });

  it('lets a duplicate key win in place and merges a repeated section', () => {
    const doc = parse('[s]\na = 1\nb = 2\n[t]\nx = 1\n[s]\na = 3\n');
    expect(ownKeys(doc, 's')).toEqual(['a', 'b']);
    expect(entry(doc, 's', 'a')).toEqual({ value: '3', file: 'jail.conf', line: 7 });
    expect(doc.sections.get('s')?.line).toBe(1);
    expect(sections(doc)).toEqual(['s', 't']);
  });

  it('reports every malformed line with file and line, and keeps going', () => {
    const { document, problems } = parseIni(
      'early = 1\n[s]\na = 1\njust text\n  indented\n= 2\n[]\n[t] extra\nb = 2\n',
      'jail.local',
    );
    expect(problems).toEqual([
      { file: 'jail.local', line: 1, option: 'early', message: 'option is not inside any [section]' },
      { file: 'jail.local', line: 4, message: expect.stringContaining('"just text"') },
      { file: 'jail.local', line: 5, message: expect.stringContaining('"indented"') },
      { file: 'jail.local', line: 6, message: expect.stringContaining('option name') },
      { file: 'jail.local', line: 7, message: expect.stringContaining('section name') },
      { file: 'jail.local', line: 8, message: expect.stringContaining('"extra"') },
    ]);
    expect(raw(document, 's', 'a')).toBe('1');
    expect(raw(document, 't', 'b')).toBe('2');
  });
});

describe('DEFAULT and key listing', () => {
  const doc = parse('[DEFAULT]\nbantime = 10m\nport = 0\n[sshd]\nport = ssh\nmode = aggressive\n');

  it('falls back to DEFAULT for raw entries, but not for unknown sections', () => {
    expect(raw(doc, 'sshd', 'bantime')).toBe('10m');
    expect(raw(doc, 'sshd', 'port')).toBe('ssh');
    expect(raw(doc, 'DEFAULT', 'port')).toBe('0');
    expect(entry(doc, 'nope', 'bantime')).toBeUndefined();
  });

  it('lists own keys, and own keys followed by inherited DEFAULT keys', () => {
    expect(sections(doc)).toEqual(['sshd']);
    expect(ownKeys(doc, 'sshd')).toEqual(['port', 'mode']);
    expect(keys(doc, 'sshd')).toEqual(['port', 'mode', 'bantime']);
    expect(keys(doc, 'nope')).toEqual([]);
  });
});

describe('layer', () => {
  const conf = parse('[DEFAULT]\nbantime = 10m\n[sshd]\nport = ssh\nenabled = false\n[nginx]\nport = http\n');
  const local = parse(
    '[recidive]\nenabled = true\n[sshd]\nenabled = true\n[DEFAULT]\nbantime = 1h\n',
    'jail.local',
  );

  it('lets later files win, merges sections and keeps first-appearance order and provenance', () => {
    const doc = layer([conf, local]);
    expect(sections(doc)).toEqual(['sshd', 'nginx', 'recidive']);
    expect(ownKeys(doc, 'sshd')).toEqual(['port', 'enabled']);
    expect(entry(doc, 'sshd', 'enabled')).toEqual({ value: 'true', file: 'jail.local', line: 4 });
    expect(entry(doc, 'sshd', 'port')).toEqual({ value: 'ssh', file: 'jail.conf', line: 4 });
    expect(doc.sections.get('sshd')).toMatchObject({ file: 'jail.conf', line: 3 });
    expect(raw(doc, 'nginx', 'bantime')).toBe('1h');
    expect(raw(conf, 'sshd', 'enabled')).toBe('false');
  });
});

describe('resolve', () => {
  it('interpolates lazily from final values, in the section asked for', () => {
    const conf = parse(
      '[DEFAULT]\nport = 0\naction = ban[port=%(port)s, name=%(__name__)s]\n[sshd]\nport = ssh\n',
    );
    const local = parse('[sshd]\nport = 2222\n', 'jail.local');
    const doc = layer([conf, local]);
    expect(value(doc, 'sshd', 'action')).toBe('ban[port=2222, name=sshd]');
    expect(value(doc, 'DEFAULT', 'action')).toBe('ban[port=0, name=DEFAULT]');
    expect(resolve(doc, 'sshd', 'action')).toMatchObject({ entry: { file: 'jail.conf', line: 3 } });
  });

  it('turns "%%" into "%" and matches reference names case-insensitively', () => {
    const doc = parse('[s]\nPort = 22\nfmt = 100%% of %(PORT)s%%\n');
    expect(value(doc, 's', 'fmt')).toBe('100% of 22%');
  });

  it('looks references up in the section, then extra, then DEFAULT', () => {
    const doc = parse(
      '[DEFAULT]\na = default\nb = default\nc = default\n[s]\na = section\nv = %(a)s %(b)s %(c)s\n',
    );
    expect(value(doc, 's', 'v', { A: 'extra', B: 'extra' })).toBe('section extra default');
    expect(value(doc, 's', 'v')).toBe('section default default');
  });

  it('interpolates extra values too, but never takes the asked key from extra', () => {
    const doc = parse('[Definition]\nfailregex = ^%(prefix)s from <HOST>$\n');
    expect(value(doc, 'Definition', 'failregex', { prefix: '%(__name__)s:%(daemon)s', daemon: 'sshd' })).toBe(
      '^Definition:sshd from <HOST>$',
    );
    expect(resolve(doc, 'Definition', 'daemon', { daemon: 'sshd' })).toBeUndefined();
    expect(resolve(doc, 'nope', 'failregex')).toBeUndefined();
  });

  it('reports a missing reference by name, at the entry whose text holds it', () => {
    const doc = layer([
      parse('[DEFAULT]\naction_ = %(banaction)s[port=%(port)s]\n[sshd]\naction = %(action_)s\n'),
      parse('[sshd]\nport = ssh\n', 'jail.local'),
    ]);
    expect(problem(doc, 'sshd', 'action')).toEqual({
      file: 'jail.conf',
      line: 2,
      option: 'action_',
      message:
        '"%(banaction)s" refers to "banaction", which is not set in [sshd] or [DEFAULT] (resolving [sshd] action)',
    });
    expect(problem(doc, 'sshd', 'action', { port: '1' }).message).toContain('the extra variables');
  });

  it('allows 10 levels of nesting and reports deeper chains and cycles as too deep', () => {
    const chain = (n: number) =>
      parse(`[s]\n${Array.from({ length: n }, (_, i) => `k${i} = %(k${i + 1})s\n`).join('')}k${n} = end\n`);
    expect(value(chain(10), 's', 'k0')).toBe('end');
    expect(problem(chain(11), 's', 'k0')).toMatchObject({ line: 2, option: 'k0' });
    expect(problem(chain(11), 's', 'k0').message).toContain('interpolation too deep');
    const cycle = parse('[s]\na = x%(b)s\nb = %(a)s\n');
    expect(problem(cycle, 's', 'b')).toMatchObject({ line: 3, option: 'b' });
    expect(problem(cycle, 's', 'b').message).toContain('interpolation too deep');
  });

  it('reports a "%" that starts neither "%%" nor "%(name)s"', () => {
    const doc = parse('[s]\na = 50%\nb = %(port\nc = %d\n');
    expect(problem(doc, 's', 'a')).toMatchObject({ option: 'a', line: 2 });
    expect(problem(doc, 's', 'b')).toMatchObject({
      option: 'b',
      line: 3,
      message: expect.stringContaining('%(name)s'),
    });
    expect(problem(doc, 's', 'c')).toMatchObject({
      option: 'c',
      line: 4,
      message: expect.stringContaining('"%d"'),
    });
  });
});

// Debian's fail2ban package, fetched by apt-get download on first use (test/support).
const stock = fail2banPackage().etc;

describe('fail2ban stock jail.conf', () => {
  const read = (name: string) => parseIni(readFileSync(join(stock, name), 'utf8'), name);

  it('parses with no problems and resolves %(action_)s chains for sshd', () => {
    const conf = read('jail.conf');
    expect(conf.problems).toEqual([]);
    const doc = conf.document;
    expect(sections(doc).slice(0, 3)).toEqual(['INCLUDES', 'sshd', 'dropbear']);
    expect(value(doc, 'sshd', 'action')).toBe(
      'iptables-multiport[port="ssh", protocol="tcp", chain="<known/chain>"]',
    );
    expect(value(doc, 'sshd', 'filter')).toBe('sshd[mode=normal]');
  });

  it('resolves paths from the files jail.conf includes when layered before it', () => {
    const docs = ['paths-common.conf', 'paths-debian.conf', 'jail.conf'].map(read);
    expect(docs.flatMap((d) => d.problems)).toEqual([]);
    const doc = layer(docs.map((d) => d.document));
    expect(value(doc, 'sshd', 'logpath')).toBe('/var/log/auth.log');
    expect(value(doc, 'sshd', 'action_mwl').split('\n')).toEqual([
      'iptables-multiport[port="ssh", protocol="tcp", chain="<known/chain>"]',
      'sendmail-whois-lines[sender="root@<fq-hostname>", dest="root@localhost", logpath="/var/log/auth.log", chain="<known/chain>"]',
    ]);
  });
});

describe('%(section/option)s references', () => {
  const doc = (text: string) => parseIni(text, 'f.conf').document;

  it("read another section's option, interpolated in that section", () => {
    const d = doc(
      '[lt_short]\n_p = short\nprefix = x-%(_p)s\n\n[Definition]\nprefix = %(lt_short/prefix)s!\n',
    );
    expect(resolve(d, 'Definition', 'prefix')).toMatchObject({ value: 'x-short!' });
  });

  it('report a cycle across sections instead of recursing forever', () => {
    const d = doc('[a]\nx = %(b/y)s\n\n[b]\ny = %(a/x)s\n');
    expect(resolve(d, 'a', 'x')).toMatchObject({ problem: { message: expect.stringContaining('too deep') } });
  });
});

describe('%(known/option)s', () => {
  it('is the value the option had before a later file overrode it', () => {
    const base = parseIni('[DEFAULT]\nprefix = ^\\s*\n\n[Definition]\nre = a\n', 'common.conf').document;
    const over = parseIni(
      '[Definition]\nprefix = %(known/prefix)sX \nre = %(known/re)s|b\n',
      'f.conf',
    ).document;
    const doc = layer([base, over]);
    expect(resolve(doc, 'Definition', 'prefix')).toMatchObject({ value: '^\\s*X' });
    expect(resolve(doc, 'Definition', 're')).toMatchObject({ value: 'a|b' });
    expect(ownKeys(doc, 'Definition')).toEqual(['re', 'prefix']);
  });

  it('survives layering the layered document again (a filter file, then the jail arguments)', () => {
    // common.conf's section sets the key over DEFAULT's; the filter extends that with known/.
    const common = parseIni('[DEFAULT]\np = <lt_<logtype>/p>\n\n[lt_journal]\np = J\n', 'common.conf');
    const filter = parseIni('[lt_journal]\np = %(known/p)sX\n', 'asterisk.conf');
    const once = layer([common.document, filter.document]);
    const args = parseIni('[Definition]\nlogtype = journal\n', 'args').document;
    const twice = layer([once, args]);
    expect(resolve(twice, 'lt_journal', 'p')).toMatchObject({ value: 'JX' });
  });
});
