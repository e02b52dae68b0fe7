// Builds throwaway configuration directories for tests: the shipped config (jail.conf,
// banhammer.conf, filter.d/), plus whatever files a test adds, in a fresh temp folder.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TUTORIAL = join(REPO, 'test', 'fixtures', 'tutorial');

export function tutorialFile(name: string): string {
  return readFileSync(join(TUTORIAL, name), 'utf8');
}

export interface ConfigDir {
  readonly dir: string;
  write(relative: string, text: string): string;
  remove(): void;
}

/** banhammer.local keeping the daemon's log, state file and pid file in the test's `state` folder. */
export function daemonLocal(state: string): string {
  return `[Definition]\nlogtarget = ${join(state, 'banhammer.log')}\ndbfile = ${join(state, 'state.sqlite3')}\npidfile = ${join(state, 'banhammer.pid')}\n`;
}

/** A temp config dir with the shipped files copied in and `files` written on top. */
export function makeConfigDir(files: Record<string, string> = {}): ConfigDir {
  const dir = mkdtempSync(join(tmpdir(), 'banhammer-conf-'));
  cpSync(join(REPO, 'jail.conf'), join(dir, 'jail.conf'));
  cpSync(join(REPO, 'banhammer.conf'), join(dir, 'banhammer.conf'));
  cpSync(join(REPO, 'filter.d'), join(dir, 'filter.d'), { recursive: true });
  const write = (relative: string, text: string) => {
    const path = join(dir, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The tutorial's set-up: jail.local holds the Webmin block and the [fail2ban] block verbatim and
 * enables [ssh-iptables] (the tutorial's "change enabled to true"); filter.d/fail2ban.conf is the
 * tutorial's filter verbatim. Log paths are redirected by a jails.d/*.local file.
 */
export function tutorialConfigDir(logs: { secure: string; fail2ban: string }): ConfigDir {
  return makeConfigDir({
    'jail.local': `${tutorialFile('webmin-iptables.jail')}\n${tutorialFile('fail2ban.jail')}\n[ssh-iptables]\nenabled = true\nlogpath = /var/log/secure\n`,
    'filter.d/fail2ban.conf': tutorialFile('filter.d-fail2ban.conf'),
    'jails.d/test-paths.local': `[ssh-iptables]\nlogpath = ${logs.secure}\n\n[webmin-iptables]\nlogpath = ${logs.secure}\n\n[fail2ban]\nlogpath = ${logs.fail2ban}\n`,
  });
}
