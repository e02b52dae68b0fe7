// Debian's sshguard as the bench runs it: not the service (its config file is fixed at
// /etc/sshguard/sshguard.conf and reads the journal), but the very pipeline /usr/sbin/sshguard
// builds, on the bench's log: sshg-logtail FILE | sshg-parser | sshg-blocker | sshg-fw-nft-sets.
// THRESHOLD 30 (three sshd failures of 10 each) is Debian's default and matches maxretry = 3.

import { nsRun, startIn, stopGroup } from './sandbox.mjs';
import { sleep } from './stats.mjs';

const LIBEXEC = '/usr/libexec/sshguard';

export const sshguard = {
  name: 'sshguard',
  set: () => ({ family: 'ip', table: 'sshguard', set: 'attackers' }),
  start: startSshguard,
};

export async function startSshguard(ns, { jails }) {
  const [jail] = jails;
  const pipeline =
    `${LIBEXEC}/sshg-logtail ${jail.logpath} | ${LIBEXEC}/sshg-parser | ` +
    `${LIBEXEC}/sshg-blocker -a 30 -p 3600 -s 3600 -w 127.0.0.0/8 | ${LIBEXEC}/sshg-fw-nft-sets`;
  const child = startIn(ns, ['sh', '-c', pipeline]);
  return {
    child,
    pid: child.pid,
    /** Resolves once the backend made its set and tail is following the file. */
    async ready(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          nsRun(ns, ['nft', 'list', 'set', 'ip', 'sshguard', 'attackers']);
          break;
        } catch {
          if (Date.now() > deadline) throw new Error('sshguard did not create its set');
          await sleep(20);
        }
      }
      await sleep(300); // tail -F -n 0 opens the file at its end
    },
    stop: () => stopGroup(child, 'SIGTERM', 5_000),
  };
}
