// The failure times of the counter's slots that hold two failures or more inside findtime, in
// typed arrays: a row of up to maxretry - 1 times per such slot, from a pool of rows that grows
// and is reused. A Map from slot to an array of times made an array and a Map entry per attacking
// address, then dropped both: in a ban storm every address has its second failure, then its ban.
// A Map set and emptied again, a million times, takes ~50 ms and rehashes its table as it grows
// and shrinks (~7 ms for as many sets of a Map that keeps its size). Alternating storms of two
// daemons: the daemon's thread used 40 ms less CPU, the storm took 20 ms less (medians of twelve
// pairs, bench/figures/ban-throughput.mjs' storm).

/** Rows the pool starts with; it doubles as windows fill up. */
const INITIAL_ROWS = 64;

export class WindowRows {
  /** Times per row, the row's first `width` cells. */
  readonly #width: number;
  /** Per slot: its row plus one, or 0 when the slot holds its newest time only. */
  #rowOf: Int32Array;
  #times: Float64Array;
  /** Per row: how many of its cells hold times, oldest first. */
  #length: Int32Array;
  readonly #free: number[] = [];
  #end = 0;

  /** `width`: the most times a row holds (maxretry - 1, at least 1); `slots`: slots to start with. */
  constructor(width: number, slots: number) {
    this.#width = Math.max(1, width);
    this.#rowOf = new Int32Array(slots);
    this.#times = new Float64Array(INITIAL_ROWS * this.#width);
    this.#length = new Int32Array(INITIAL_ROWS);
  }

  /** Room for slots below `slots`. */
  growSlots(slots: number): void {
    if (slots <= this.#rowOf.length) return;
    const grown = new Int32Array(slots);
    grown.set(this.#rowOf);
    this.#rowOf = grown;
  }

  /** Copies the slot's times into `into` from 0, oldest first (`newest` alone when it has no row); how many. */
  read(slot: number, newest: number, into: Float64Array): number {
    const row = this.#rowOf[slot]! - 1;
    if (row < 0) {
      into[0] = newest;
      return 1;
    }
    const n = this.#length[row]!;
    const base = row * this.#width;
    for (let i = 0; i < n; i++) into[i] = this.#times[base + i]!;
    return n;
  }

  /** Keeps from[start, end) (two to `width` times, oldest first) as the slot's times. */
  write(slot: number, from: Float64Array, start: number, end: number): void {
    let row = this.#rowOf[slot]! - 1;
    if (row < 0) {
      row = this.#take();
      this.#rowOf[slot] = row + 1;
    }
    const base = row * this.#width;
    for (let i = start; i < end; i++) this.#times[base + i - start] = from[i]!;
    this.#length[row] = end - start;
  }

  /** The slot keeps its newest time only (or nothing: it was released). */
  clear(slot: number): void {
    const row = this.#rowOf[slot]! - 1;
    if (row < 0) return;
    this.#rowOf[slot] = 0;
    this.#free.push(row);
  }

  /** Every row back to the pool, which returns to its first size; slots start again from `slots`. */
  reset(slots: number): void {
    this.#rowOf = new Int32Array(slots);
    this.#times = new Float64Array(INITIAL_ROWS * this.#width);
    this.#length = new Int32Array(INITIAL_ROWS);
    this.#free.length = 0;
    this.#end = 0;
  }

  #take(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    const row = this.#end++;
    if (row === this.#length.length) {
      const length = new Int32Array(row * 2);
      length.set(this.#length);
      this.#length = length;
      const times = new Float64Array(row * 2 * this.#width);
      times.set(this.#times);
      this.#times = times;
    }
    return row;
  }
}
