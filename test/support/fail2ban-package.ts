// Debian's fail2ban package, fetched with `apt-get download` and unpacked with `dpkg-deb -x`
// into a cache under node_modules (never installed as a service, never committed), so tests can
// run banhammer against fail2ban's own stock filters and sample logs.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './config-dir.ts';

const CACHE = join(REPO, 'node_modules', '.cache', 'banhammer-fail2ban');

export interface Fail2banPackage {
  /** The unpacked /etc/fail2ban (filter.d/, action.d/, jail.conf, ...). */
  readonly etc: string;
  /** fail2ban's test sample logs (tests/files/logs/). */
  readonly logs: string;
}

/** The unpacked package; downloads it the first time. Throws with the reason when it cannot. */
export function fail2banPackage(): Fail2banPackage {
  const root = join(CACHE, 'root');
  const etc = join(root, 'etc', 'fail2ban');
  const logs = join(root, 'usr', 'lib', 'python3', 'dist-packages', 'fail2ban', 'tests', 'files', 'logs');
  if (existsSync(join(etc, 'filter.d')) && existsSync(logs)) return { etc, logs };
  rmSync(CACHE, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  execFileSync('apt-get', ['download', 'fail2ban'], { cwd: CACHE, stdio: 'pipe' });
  const deb = readdirSync(CACHE).find((f) => f.startsWith('fail2ban_') && f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download fail2ban produced no .deb');
  execFileSync('dpkg-deb', ['-x', join(CACHE, deb), root], { stdio: 'pipe' });
  return { etc, logs };
}
