// One measured daemon run: an empty ruleset in the namespace, a fresh log, the daemon started and
// ready, the measurement, then the daemon stopped and its files removed, whatever happens.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failures } from './lines.mjs';
import { flushRuleset, removeDir, tempDir } from './sandbox.mjs';
import { waitForSet } from './watch.mjs';

/** An empty (or given) log file in a temp dir of its own. */
export function freshLog(text = '') {
  const dir = tempDir('log');
  const path = join(dir, 'auth.log');
  writeFileSync(path, text);
  return { dir, path, remove: () => removeDir(dir) };
}

export async function withDaemon(ns, tool, options, measure, { ready = true } = {}) {
  flushRuleset(ns);
  const daemon = await tool.start(ns, options);
  // A daemon that dies mid-measurement fails the run now, not at the measurement's timeout.
  const died = daemon.child.exited.then((code) => {
    const tail = (daemon.output?.() ?? '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${tool.name} exited (${code}) during the measurement: ${tail}`);
  });
  try {
    if (ready) await Promise.race([daemon.ready(), died]);
    return await Promise.race([measure(daemon), died]);
  } finally {
    died.catch(() => {});
    // Stop only a daemon that finished starting: banhammerd installs its SIGTERM handler last,
    // and one killed before that leaves no CPU profile and no clean shutdown.
    if (!ready) await daemon.ready().catch(() => {});
    await daemon.stop();
    if (daemon.dir) removeDir(daemon.dir);
  }
}

/**
 * Bans one address and waits for it: fail2ban creates its set at the first ban, so every tool
 * gets its first ban out of the way before anything is timed.
 */
export async function warmUp(ns, tool, jail, logpath) {
  const { done } = await waitForSet(ns, tool.set(jail), 1, '192.0.2.1', 30);
  appendFileSync(logpath, failures(['192.0.2.1'], 3));
  if ((await done).timeout) throw new Error(`${tool.name}: the warm-up ban never reached the kernel`);
}
