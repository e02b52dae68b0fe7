// "In the kernel set", observed from outside every daemon: nft-watch.py reads the namespace's
// nftables over netlink and stamps with CLOCK_MONOTONIC, the clock of process.hrtime.bigint(),
// so a stamp minus the hrtime taken just before a log append is the daemon's whole delay.

import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startIn } from './sandbox.mjs';

const WATCH = fileURLToPath(new URL('./nft-watch.py', import.meta.url));

export const now = () => process.hrtime.bigint();
export const ms = (fromNs, toNs) => Number(toNs - fromNs) / 1e6;

function watcher(ns, args) {
  const child = startIn(ns, ['python3', WATCH, ...args], { stdout: true });
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((resolve, reject) => {
    lines.once('line', (l) => (l === 'ready' ? resolve() : reject(new Error(`nft-watch: ${l}`))));
    child.once('exit', (code) => reject(new Error(`nft-watch exited ${code}`)));
  });
  return { child, lines, ready };
}

/**
 * Starts polling `set` (`{ family, table, set }`) for `address`, then for `count` elements.
 * Resolves once polling runs, with `done`: a promise of `{ at }` (hrtime ns, bigint) when the
 * set was complete, or `{ timeout: true, present }`.
 */
export async function waitForSet(ns, { family, table, set }, count, address, timeoutS) {
  const w = watcher(ns, ['wait', family, table, set, String(count), address, String(timeoutS)]);
  const done = new Promise((resolve) => {
    w.lines.on('line', (line) => {
      if (line === 'ready') return;
      const [stamp, what, present] = line.split(' ');
      resolve(what === 'FOUND' ? { at: BigInt(stamp) } : { timeout: true, present: Number(present) });
    });
    w.child.once('exit', () => resolve({ timeout: true, present: Number.NaN }));
  });
  await w.ready;
  return { done };
}

/**
 * Subscribes to element additions in `ns`. `seen(set, address, timeoutMs)` resolves with the
 * hrtime (ns) the element first appeared, whether before or after the call, or undefined.
 */
export async function watchElements(ns) {
  const w = watcher(ns, ['events']);
  const first = new Map();
  const waiting = new Map();
  w.lines.on('line', (line) => {
    if (line === 'ready') return;
    if (line === 'overflow') throw new Error('nft-watch: the kernel dropped notifications');
    const [stamp, set, address] = line.split(' ');
    const key = `${set} ${address}`;
    if (first.has(key)) return;
    first.set(key, BigInt(stamp));
    waiting.get(key)?.(BigInt(stamp));
  });
  await w.ready;
  return {
    seen(set, address, timeoutMs) {
      const key = `${set} ${address}`;
      if (first.has(key)) return Promise.resolve(first.get(key));
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(key);
          resolve(undefined);
        }, timeoutMs);
        waiting.set(key, (at) => {
          clearTimeout(timer);
          waiting.delete(key);
          resolve(at);
        });
      });
    },
    close() {
      w.child.kill();
    },
  };
}
