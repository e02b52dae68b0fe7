import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { type ConfigDir, makeConfigDir, tutorialConfigDir } from '../../support/config-dir.ts';

let cfg: ConfigDir | undefined;
afterEach(() => cfg?.remove());

function load(files: Record<string, string>) {
  cfg = makeConfigDir(files);
  return loadConfig(cfg.dir);
}

describe('loadConfig: the tutorial', () => {
  it('loads its three jails verbatim, in config order, with the options it sets', () => {
    cfg = tutorialConfigDir({ secure: '/tmp/x/secure', fail2ban: '/tmp/x/fail2ban.log' });
    const r = loadConfig(cfg.dir);
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    const [webmin, recidive, ssh] = r.config.jails;
    expect(r.config.jails.map((j) => j.name)).toEqual(['webmin-iptables', 'fail2ban', 'ssh-iptables']);
    expect(webmin).toMatchObject({
      filter: { name: 'webmin-auth' },
      logpaths: ['/tmp/x/secure'],
      blockRules: [{ ports: [{ from: 10000, to: 10000 }], protocol: 'tcp' }],
      mailActions: [{ name: 'sendmail-whois', args: { name: 'WEBMIN', dest: 'example@example.com' } }],
    });
    expect(recidive).toMatchObject({
      maxretry: 10,
      findtimeMs: 604_800_000,
      bantimeMs: 2_592_000_000,
      blockRules: [{ ports: 'all', protocol: 'tcp' }],
      logpaths: ['/tmp/x/fail2ban.log'],
      filter: {
        failregex: [{ pattern: 'fail2ban.actions: WARNING \\[(.*)\\] Ban <HOST>' }],
        ignoreregex: [{ pattern: 'fail2ban.actions: WARNING \\[fail2ban\\] Ban <HOST>' }],
      },
    });
    expect(ssh).toMatchObject({
      filter: { name: 'sshd' },
      maxretry: 5,
      findtimeMs: 600_000,
      bantimeMs: 600_000,
      blockRules: [{ ports: [{ from: 22, to: 22 }], protocol: 'tcp' }],
    });
    expect(r.config.warnings).toEqual([]);
  });
});

describe('loadConfig: layering', () => {
  it('reads jail.conf < jail.local < jails.d/*.conf < jails.d/*.local', () => {
    const r = load({
      'jail.local': '[sshd]\nenabled = true\nmaxretry = 2\nbantime = 1h\n',
      'jails.d/a.conf': '[sshd]\nmaxretry = 3\n',
      'jails.d/b.conf': '[sshd]\nfindtime = 1d\n',
      'jails.d/a.local': '[sshd]\nbantime = -1\n',
    });
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    expect(r.config.jails[0]).toMatchObject({
      name: 'sshd',
      maxretry: 3,
      findtimeMs: 86_400_000,
      bantimeMs: null,
    });
  });

  it('applies [DEFAULT] and %(name)s interpolation', () => {
    const r = load({
      'jail.local': '[DEFAULT]\nbantime = 2h\nmyport = 2222\n\n[sshd]\nenabled = true\nport = %(myport)s\n',
    });
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    expect(r.config.jails[0]).toMatchObject({ bantimeMs: 7_200_000, port: [{ from: 2222, to: 2222 }] });
    expect(r.config.jails[0]?.blockRules).toEqual([{ ports: [{ from: 2222, to: 2222 }], protocol: 'tcp' }]);
  });

  it('leaves disabled jails out and lists enabled ones in the order they were enabled', () => {
    const r = load({ 'jail.local': '[webmin-auth]\nenabled = true\n\n[sshd]\nenabled = true\n' });
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    expect(r.config.jails.map((j) => j.name)).toEqual(['webmin-auth', 'sshd']);
  });

  it('reads the daemon settings from banhammer.conf and banhammer.local', () => {
    const r = load({ 'banhammer.local': '[Definition]\nsocket = /tmp/s.sock\nloglevel = debug\n' });
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    expect(r.config.daemon).toMatchObject({
      socket: '/tmp/s.sock',
      loglevel: 'DEBUG',
      dbfile: '/var/lib/banhammer/banhammer.sqlite3',
    });
  });
});

describe('loadConfig: errors', () => {
  it('reports every bad value at once with file, line and option', () => {
    const r = load({
      'jail.local':
        '[sshd]\nenabled = true\nmaxretry = five\nbantime = soon\nport = ssh,nosuch\nprotocol = icmp\n',
    });
    expect('problems' in r).toBe(true);
    if (!('problems' in r)) return;
    const lines = r.problems.map((p) => `${p.file.replace(cfg!.dir, '')}:${p.line}: ${p.option}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        '/jail.local:3: maxretry',
        '/jail.local:4: bantime',
        '/jail.local:5: port',
        '/jail.local:6: protocol',
      ]),
    );
    expect(r.problems.find((p) => p.option === 'maxretry')?.message).toBe(
      'expected a positive integer, got "five"',
    );
  });

  it('names a missing filter', () => {
    const r = load({ 'jail.local': '[x]\nenabled = true\nfilter = nosuch\nlogpath = /tmp/x\n' });
    expect(r).toMatchObject({
      problems: expect.arrayContaining([expect.objectContaining({ option: 'filter' })]),
    });
  });

  it('rejects an unparsable enabled value and a broken action list', () => {
    const r = load({
      'jail.local': '[sshd]\nenabled = maybe\n\n[webmin-auth]\nenabled = true\naction = iptables[port=22\n',
    });
    if (!('problems' in r)) throw new Error('expected problems');
    expect(r.problems.map((p) => p.option).sort()).toEqual(['action', 'enabled']);
  });

  it('warns about unknown and not-yet-supported options without failing', () => {
    const r = load({ 'jail.local': '[sshd]\nenabled = true\nfrobnicate = 1\nlogencoding = utf-8\n' });
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    expect(r.config.warnings).toEqual(
      expect.arrayContaining([
        'jail sshd: option "frobnicate" is unknown and is ignored',
        'jail sshd: option "logencoding" is not supported yet and is ignored',
      ]),
    );
  });
});

describe('loadConfig: filter modes', () => {
  it("passes the jail's mode to its filter, as fail2ban's [DEFAULT] filter line does", () => {
    const r = load({ 'jail.local': '[sshd]\nenabled = true\nmode = aggressive\n' });
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    const patterns = r.config.jails[0]!.filter.failregex.map((p) => p.pattern).join('\n');
    expect(patterns).toContain('Timeout before authentication');
    expect(r.config.warnings).toEqual([]);
  });
});
