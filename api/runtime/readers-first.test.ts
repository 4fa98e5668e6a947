import { describe, expect, test } from "vitest";
import { MAX_TURNS, readersFirst } from "./readers-first.ts";

/** Counts the turns of the event loop until `promise` settles, calling `each(turn)` on every one. */
async function turnsUntil(promise: Promise<void>, each: (turn: number) => void = () => {}): Promise<number> {
  let done = false;
  void promise.then(() => (done = true));
  let turns = 0;
  while (!done) {
    // A reader's request is answered in the poll phase, before the turn's immediates run.
    each(turns);
    await new Promise<void>((resolve) => setImmediate(resolve));
    turns++;
  }
  return turns;
}

describe("readers first", () => {
  test("with no one reading, a write runs on the next turn", async () => {
    const turns = readersFirst();
    expect(await turnsUntil(turns.writerTurn())).toBe(1);
  });

  test(`while pages are served on every turn, a write waits ${MAX_TURNS} turns, then runs anyway`, async () => {
    const turns = readersFirst();
    expect(await turnsUntil(turns.writerTurn(), () => turns.served())).toBe(MAX_TURNS);
  });

  test("a write runs on the first turn that served no page", async () => {
    const turns = readersFirst(10);
    expect(await turnsUntil(turns.writerTurn(), (turn) => turn < 2 && turns.served())).toBe(3);
  });
});
