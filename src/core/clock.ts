// Time as a collaborator: stages receive `now` as an argument; adapters and the jail wiring
// read it from a Clock so tests can drive timers deterministically. Two clocks: `now()` is the
// wall clock (dates, the state file), which an operator or NTP can step by hours; timers and
// `monotonic()` never jump, like the kernel's nft timeouts, so a step cannot expire or extend a
// ban early. `clockStep` tells how far the wall clock stepped, for bookkeeping kept in wall time.

export interface Clock {
  /** Milliseconds since the epoch (wall clock: it may jump). */
  now(): number;
  /**
   * Milliseconds from an arbitrary origin on a clock that never jumps (CLOCK_MONOTONIC). Absent:
   * `now()` stands in, and wall-clock steps go unnoticed.
   */
  monotonic?(): number;
  /** Runs `fn` after `ms` of monotonic time (a wall-clock step neither hastens nor delays it). */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // performance.now() is CLOCK_MONOTONIC, as are libuv's timers behind setTimeout.
  monotonic: () => performance.now(),
  setTimer(ms, fn) {
    // Node caps timers at 2^31-1 ms (~24.8 days); longer waits re-arm in steps.
    const max = 2 ** 31 - 1;
    let handle: NodeJS.Timeout;
    const arm = (left: number) => {
      handle = setTimeout(() => (left > max ? arm(left - max) : fn()), Math.min(left, max));
      handle.unref();
    };
    arm(Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};

/** Below this, wall and monotonic disagreeing is reading jitter or NTP slewing, not a step. */
export const CLOCK_STEP_TOLERANCE_MS = 1_000;

/**
 * A watcher of wall-clock steps: each call returns how far the wall clock moved against the
 * monotonic one since the previous call (positive: forward), or 0 below the tolerance. `now`:
 * the wall clock as the caller just read it, so a caller that checks per log line reads it once.
 */
export function clockStep(clock: Clock): (now?: number) => number {
  const offset = (now: number) => now - (clock.monotonic?.() ?? now);
  let last = offset(clock.now());
  return (now = clock.now()) => {
    const current = offset(now);
    const step = current - last;
    if (Math.abs(step) < CLOCK_STEP_TOLERANCE_MS) return 0;
    last = current;
    return step;
  };
}
