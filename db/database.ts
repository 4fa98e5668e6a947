import type { Client, InStatement, ResultSet, Transaction } from "@libsql/client";

/** Anything that runs one statement: the client itself or an open transaction. */
export interface Executor {
  execute(stmt: InStatement): Promise<ResultSet>;
}

/** Executors that talk to a remote database (Turso, sqld), where every round trip costs. */
const remote = new WeakSet<object>();

/**
 * Whether reads through `ex` travel over the network: then reads that depend on each other are
 * better sent together as subqueries (one round trip); on an embedded file, in two steps (each
 * statement is cheap, a repeated subquery is not).
 */
export function isRemote(ex: Executor): boolean {
  return remote.has(ex);
}

/** Marks an executor (a transaction of a remote client) as remote. */
export function markRemote<T extends object>(ex: T, when: boolean): T {
  if (when) remote.add(ex);
  return ex;
}

/**
 * The one way Herald writes. All writes of this process go through one queue, so two
 * comms leads updating the same incident are applied one after the other in a consistent
 * order and never lose each other's update; the `write` (BEGIN IMMEDIATE) transaction keeps
 * that true across processes too (the CLI, a second server, Turso).
 */
export interface Database {
  readonly client: Client;
  write<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): void;
}

const BUSY_RETRIES = 8;

export function createDatabase(client: Client): Database {
  let queue: Promise<unknown> = Promise.resolve();
  const overNetwork = client.protocol !== "file";
  markRemote(client, overNetwork);

  async function runOnce<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = markRemote(await client.transaction("write"), overNetwork);
    try {
      const result = await work(tx);
      await tx.commit();
      return result;
    } catch (error) {
      if (!tx.closed) await tx.rollback().catch(() => {});
      throw error;
    } finally {
      tx.close();
    }
  }

  async function runWithRetry<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await runOnce(work);
      } catch (error) {
        // Another process holds the write lock longer than the busy timeout: wait and retry,
        // since the request was valid and must not be dropped.
        if (!isBusy(error) || attempt >= BUSY_RETRIES) throw error;
        await sleep(25 * 2 ** attempt * (0.5 + Math.random()));
      }
    }
  }

  return {
    client,
    write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      // Each write starts on a fresh turn of the event loop: an embedded database answers
      // synchronously, so queued writes would otherwise run back to back in one turn and hold
      // every page request and API read waiting behind all of them.
      const run = queue.then(nextTurn).then(() => runWithRetry(work));
      queue = run.catch(() => {});
      return run;
    },
    close() {
      client.close();
    },
  };
}

/** Carries a dry run's result out of the transaction it is rolled back in. */
class DryRunResult<T> {
  readonly value: T;
  constructor(value: T) {
    this.value = value;
  }
}

/**
 * Runs `work` in a write transaction and rolls it back: what a write would store, read back by
 * the same code that will store it, without storing anything (the console's previews).
 */
export async function dryRun<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  try {
    await db.write(async (tx) => {
      throw new DryRunResult(await work(tx));
    });
  } catch (error) {
    if (error instanceof DryRunResult) return error.value as T;
    throw error;
  }
  throw new Error("unreachable: a dry run always rolls back");
}

export function isBusy(error: unknown): boolean {
  const text = String((error as { code?: string })?.code ?? "") + " " + String((error as Error)?.message ?? "");
  return /SQLITE_BUSY|database is locked/i.test(text);
}

export function isUniqueViolation(error: unknown): boolean {
  const text = String((error as { code?: string })?.code ?? "") + " " + String((error as Error)?.message ?? "");
  return /SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE|UNIQUE constraint failed/i.test(text);
}

/** Resolves on the next turn of the event loop (setImmediate on Node; a zero timeout elsewhere). */
function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
