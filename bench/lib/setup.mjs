// Before the bench: root, the tools it compares (installed with apt-get when missing, their
// services kept from starting), a fresh build, and the facts about this machine it prints.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO } from './banhammer.mjs';

// python3-pyinotify: Debian's fail2ban recommends it, and without it fail2ban polls once a second.
const PACKAGES = ['fail2ban', 'sshguard', 'python3-pyinotify', 'nftables', 'iproute2', 'python3'];
const POLICY = '/usr/sbin/policy-rc.d';

export function checkRoot() {
  if (process.getuid?.() === 0) return;
  process.stderr.write('npm run bench needs root: it creates network namespaces and nftables sets.\n');
  process.exit(1);
}

/** apt-get install what is missing; a temporary policy-rc.d keeps fail2ban and sshguard stopped. */
export function installPackages(log) {
  const missing = PACKAGES.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} with apt-get (services are not started)`);
  const ownPolicy = !existsSync(POLICY);
  if (ownPolicy)
    writeFileSync(POLICY, '#!/bin/sh\n# banhammer bench: no service starts during its install\nexit 101\n', {
      mode: 0o755,
    });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
        env,
        stdio: 'inherit',
      });
    if (install().status !== 0) {
      execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
      if (install().status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
    }
  } finally {
    if (ownPolicy) rmSync(POLICY, { force: true });
  }
}

/** npm run build; on a checkout never installed, scripts/prepare.sh (npm ci, native/, build). */
export function build() {
  const fresh = !existsSync(join(REPO, 'node_modules', '.package-lock.json'));
  const [command, ...args] = fresh ? ['sh', 'scripts/prepare.sh'] : ['npm', 'run', '--silent', 'build'];
  const result = spawnSync(command, args, { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
}

// dpkg-query's own ${Version} field syntax, not a template.
const VERSION_FORMAT = ['$', '{Version}'].join('');
const version = (pkg) => execFileSync('dpkg-query', ['-W', '-f', VERSION_FORMAT, pkg], { encoding: 'utf8' });

export function machine() {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: totalmem() / 2 ** 30,
    kernel: release(),
    node: process.version,
    nft: execFileSync('nft', ['--version'], { encoding: 'utf8' }).trim(),
    fail2ban: version('fail2ban'),
    sshguard: version('sshguard'),
  };
}
