import type { Client, Transaction } from "@libsql/client";

export interface RoundTripCounter {
  statements: number;
  roundTrips: number;
}

/**
 * Counts the statements sent through a client (and the transactions it opens) and the round trips
 * they would take to Turso, whose client sends the statements issued in one turn of the event
 * loop as one HTTP pipeline: what the edge's publish latency multiplies (bench/edge.ts, and the
 * publisher's test that keeps a publish at three).
 */
export function countingRoundTrips(client: Client, counter: RoundTripCounter, trace?: (line: string) => void): Client {
  let pipelineOpen = false;
  const count = (sql?: unknown) => {
    counter.statements++;
    trace?.(`  rt${counter.roundTrips + (pipelineOpen ? 0 : 1)}: ${String(typeof sql === "string" ? sql : (sql as { sql: string })?.sql).replace(/\s+/g, " ").slice(0, 110)}`);
    if (pipelineOpen) return;
    // Like the HTTP stream: statements issued before the next microtask travel together.
    counter.roundTrips++;
    pipelineOpen = true;
    queueMicrotask(() => (pipelineOpen = false));
  };
  const wrapTx = (tx: Transaction) =>
    new Proxy(tx, {
      get(target, prop) {
        if (prop === "execute") return (...args: Parameters<Transaction["execute"]>) => (count(args[0]), target.execute(...args));
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "execute") return (...args: Parameters<Client["execute"]>) => (count(args[0]), target.execute(...args));
      if (prop === "transaction") return async (...args: Parameters<Client["transaction"]>) => (count(), wrapTx(await target.transaction(...args)));
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
