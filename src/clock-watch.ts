// Each jail moves its wall-clock records (bans, counted failures) with a step of the wall clock
// (core/clock.ts): before each line it reads, and, through this watch, every second while any jail
// holds such records, so a step while no line comes is on file within a second. A daemon that
// holds none has nothing to keep in step, and no timer wakes it (bench: CPU while no log changes).

/** What the watch asks of a jail. */
export interface ClockWatched {
  /** Moves the jail's records with a step of the wall clock since the last check. */
  checkClock(): boolean;
  readonly holdsRecords: boolean;
}

export class ClockWatch {
  readonly #jails: () => Iterable<ClockWatched>;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(jails: () => Iterable<ClockWatched>, intervalMs = 1_000) {
    this.#jails = jails;
    this.#intervalMs = intervalMs;
  }

  /** Checks every interval from now on, until no jail holds records (a jail gained some). */
  wake(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#check(), this.#intervalMs);
    this.#timer.unref();
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    let holding = false;
    for (const jail of this.#jails()) {
      jail.checkClock();
      holding ||= jail.holdsRecords;
    }
    if (!holding) this.stop();
  }
}
