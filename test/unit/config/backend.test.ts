import { afterEach, describe, expect, it } from 'vitest';
import { parseBackend } from '../../../src/config/backend.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { type ConfigDir, makeConfigDir } from '../../support/config-dir.ts';

let cfg: ConfigDir | undefined;
afterEach(() => cfg?.remove());

function load(jailLocal: string) {
  cfg = makeConfigDir({ 'jail.local': jailLocal });
  return loadConfig(cfg.dir);
}

describe('parseBackend', () => {
  it('reads fail2ban’s names, case-insensitive', () => {
    for (const name of ['auto', 'inotify', 'pyinotify', 'PyInotify', '']) {
      expect(parseBackend(name)).toEqual({ backend: { kind: 'inotify' } });
    }
    expect(parseBackend('polling')).toEqual({ backend: { kind: 'polling' } });
    expect(parseBackend('gamin')).toMatchObject({
      backend: { kind: 'inotify' },
      warning: expect.any(String),
    });
    expect(parseBackend('systemd')).toEqual({ backend: { kind: 'systemd' } });
  });

  it('reads systemd’s options', () => {
    expect(
      parseBackend(
        'systemd[journalpath=/run/log/journal/m1, journalfiles="/a.journal /b.journal", journalflags=1]',
      ),
    ).toEqual({
      backend: {
        kind: 'systemd',
        journalpath: '/run/log/journal/m1',
        journalfiles: ['/a.journal', '/b.journal'],
        journalflags: 1,
      },
    });
    expect(parseBackend('systemd[journalflags=many]')).toEqual({
      error: 'systemd: journalflags: expected an integer, got "many"',
    });
    expect(parseBackend('systemd[colour=red]')).toMatchObject({ error: expect.stringContaining('colour') });
    expect(parseBackend('polling[x=1]')).toMatchObject({
      error: expect.stringContaining('takes no options'),
    });
  });
});

describe('loadConfig: backend and logpath head/tail', () => {
  it('names file, line and option for an unknown backend', () => {
    const r = load('[sshd]\nenabled = true\nlogpath = /var/log/auth.log\nbackend = kqueue\n');
    expect(r).toEqual({
      problems: [
        {
          file: `${cfg!.dir}/jail.local`,
          line: 4,
          option: 'backend',
          message: 'expected auto, inotify, pyinotify, gamin, polling or systemd[...], got "kqueue"',
        },
      ],
    });
  });

  it('carries backend and head/tail to the jail, with no unknown-option warning', () => {
    const r = load(
      '[sshd]\nenabled = true\nbackend = polling\nlogpath = /var/log/auth.log tail\n          /var/log/secure HEAD\n          /var/log/other.log\n',
    );
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    const [jail] = r.config.jails;
    expect(jail).toMatchObject({
      backend: { kind: 'polling' },
      logpaths: ['/var/log/auth.log', '/var/log/secure', '/var/log/other.log'],
      logpathsFromHead: ['/var/log/secure'],
    });
    expect(r.config.warnings.filter((w) => w.includes('backend'))).toEqual([]);
  });

  it('needs no logpath with systemd, and warns when the filter has no journalmatch', () => {
    const r = load('[sshd]\nenabled = true\nbackend = systemd\nlogpath =\n');
    if (!('config' in r)) throw new Error(JSON.stringify(r.problems));
    expect(r.config.jails[0]).toMatchObject({ backend: { kind: 'systemd' }, logpaths: [] });
    const journalmatch = r.config.jails[0]!.filter.journalmatch;
    const warned = r.config.warnings.some((w) => w.includes('journalmatch'));
    expect(warned).toBe(!journalmatch);
  });
});
