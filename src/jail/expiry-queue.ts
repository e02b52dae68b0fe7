// The retirement times of a jail's bans, on one timer: a binary min-heap ordered by due time on
// the monotonic clock (ties: first added, first due, as separate timers would fire). A timer a
// ban (a Timeout, its closures and contexts, about 400 bytes) made a 100,000-ban restore spend a
// fifth of its time copying them in the young generation (bench/figures/restore.mjs).
// Invariant: a timer is armed exactly while the heap is not empty, for its earliest entry.

import type { Clock } from '../core/clock.ts';

/** An entry's place in the queue; pass it to remove(). */
export interface Expiry<T> {
  readonly item: T;
  readonly due: number;
  readonly seq: number;
  /** Index in the heap; -1 once it left it. */
  at: number;
}

export class ExpiryQueue<T> {
  readonly #clock: Clock;
  readonly #onDue: (item: T) => void;
  readonly #heap: Expiry<T>[] = [];
  #seq = 0;
  #cancel: (() => void) | undefined;
  /** The due time the timer is armed for. */
  #armedFor = Number.POSITIVE_INFINITY;

  constructor(clock: Clock, onDue: (item: T) => void) {
    this.#clock = clock;
    this.#onDue = onDue;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Calls onDue(item) `ms` from now (monotonic: a wall-clock step neither hastens nor delays it). */
  add(item: T, ms: number): Expiry<T> {
    const e: Expiry<T> = {
      item,
      due: this.#mono() + Math.max(0, ms),
      seq: this.#seq++,
      at: this.#heap.length,
    };
    this.#heap.push(e);
    this.#up(e.at);
    this.#arm();
    return e;
  }

  /** Forgets an entry; nothing when it has already left the queue. */
  remove(e: Expiry<T>): void {
    if (e.at < 0 || this.#heap[e.at] !== e) return;
    this.#take(e);
    this.#arm();
  }

  /** Forgets every entry and stops the timer. */
  clear(): void {
    for (const e of this.#heap) e.at = -1;
    this.#heap.length = 0;
    this.#arm();
  }

  #mono(): number {
    return this.#clock.monotonic?.() ?? this.#clock.now();
  }

  /** Re-arms for the earliest entry when that changed; stops the timer when there is none. */
  #arm(): void {
    const head = this.#heap[0];
    const due = head?.due ?? Number.POSITIVE_INFINITY;
    if (due === this.#armedFor) return;
    this.#cancel?.();
    this.#cancel = undefined;
    this.#armedFor = due;
    if (head) this.#cancel = this.#clock.setTimer(due - this.#mono(), () => this.#fire());
  }

  #fire(): void {
    this.#cancel = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = this.#mono();
    // Each due entry leaves before its callback runs, so a callback that adds or removes
    // entries sees a consistent queue.
    for (let head = this.#heap[0]; head && head.due <= now; head = this.#heap[0]) {
      this.#take(head);
      this.#onDue(head.item);
    }
    this.#arm();
  }

  #take(e: Expiry<T>): void {
    const last = this.#heap.pop()!;
    if (last !== e) {
      this.#place(last, e.at);
      this.#down(last.at);
      this.#up(last.at);
    }
    e.at = -1;
  }

  #before(a: Expiry<T>, b: Expiry<T>): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #place(e: Expiry<T>, at: number): void {
    this.#heap[at] = e;
    e.at = at;
  }

  #up(at: number): void {
    const e = this.#heap[at]!;
    while (at > 0) {
      const parent = this.#heap[(at - 1) >> 1]!;
      if (!this.#before(e, parent)) break;
      this.#place(parent, at);
      at = (at - 1) >> 1;
    }
    this.#place(e, at);
  }

  #down(at: number): void {
    const e = this.#heap[at]!;
    const n = this.#heap.length;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.#before(this.#heap[right]!, this.#heap[left]!) ? right : left;
      if (!this.#before(this.#heap[child]!, e)) break;
      this.#place(this.#heap[child]!, at);
      at = child;
    }
    this.#place(e, at);
  }
}
