/**
 * Readers first: when the serving thread is busy with both, the page wins over the writes.
 *
 * Node's event loop takes turns: each turn answers every page request that arrived, then the
 * database's queue runs one write (each write starts on a turn of its own). Under a read flood a
 * turn of pages and a write's turn cost about the same (~1.4 ms each on the bench machine), so 10
 * back-to-back writers took half of the thread from the page. A write now waits for a turn in which
 * no published file was served — at most `MAX_TURNS` turns, so writes always go on (at least one
 * turn in `MAX_TURNS`, and the next turn whenever no one is reading). A comms lead's update under a
 * flood waits a few tens of milliseconds more; the bench's 10 back-to-back writers get ~100–120
 * updates/s instead of ~260 while the page is flooded, and the page keeps ~0.8× of its idle speed
 * instead of ~0.45× (`npm run bench -- serve`; 8 turns gave ~0.76×).
 *
 * Only the thread's own turns are counted, no clock: nothing here depends on the machine's speed.
 */
export const MAX_TURNS = 16;

export interface ReadersFirst {
  /** Called when a published file (page, feed, JSON, asset) is answered. */
  served(): void;
  /** Resolves on a later turn of the event loop: the first that served no reader, or the `maxTurns`th. */
  writerTurn(): Promise<void>;
}

export function readersFirst(maxTurns = MAX_TURNS): ReadersFirst {
  let servedThisTurn = false;
  return {
    served() {
      servedThisTurn = true;
    },
    async writerTurn() {
      for (let turn = 1; ; turn++) {
        servedThisTurn = false;
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!servedThisTurn || turn >= maxTurns) return;
      }
    },
  };
}
