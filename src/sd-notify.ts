// systemd readiness and watchdog notifications. Node cannot send on a Unix datagram socket, so
// this hands the message to systemd-notify with our PID (the unit sets NotifyAccess=all).
// Without NOTIFY_SOCKET (not under systemd) every call is a no-op.

import { execFile } from 'node:child_process';

export function sdNotify(state: string): void {
  if (!process.env.NOTIFY_SOCKET) return;
  execFile('systemd-notify', [`--pid=${process.pid}`, state], () => {
    // Best effort: a missing systemd-notify must not take the daemon down.
  });
}

/** Pings the watchdog at half its interval when systemd asked for one; returns a stopper. */
export function startWatchdog(): () => void {
  const usec = Number(process.env.WATCHDOG_USEC);
  if (!process.env.NOTIFY_SOCKET || !Number.isFinite(usec) || usec <= 0) return () => {};
  const timer = setInterval(() => sdNotify('WATCHDOG=1'), usec / 2000);
  timer.unref();
  return () => clearInterval(timer);
}
