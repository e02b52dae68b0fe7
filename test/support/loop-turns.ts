// Counts the turns of the event loop: a setImmediate that arms itself again each turn, until
// stopped. For tests that long work lets the loop turn (a restore's chunks, paged reads).

export interface LoopTurns {
  /** Turns counted so far. */
  readonly count: number;
  stop(): void;
}

export function countLoopTurns(): LoopTurns {
  let count = 0;
  let counting = true;
  const turn = () => {
    count++;
    if (counting) setImmediate(turn);
  };
  setImmediate(turn);
  return {
    get count() {
      return count;
    },
    stop: () => {
      counting = false;
    },
  };
}
