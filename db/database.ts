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

/** Executors of an embedded database file (the client and its transactions), by file. */
const embeddedFiles = new WeakMap<object, string>();

/** Marks an executor as reading the embedded database `file` (db/embedded-client.ts does). */
export function markEmbeddedFile<T extends object>(ex: T, file: string): T {
  embeddedFiles.set(ex, file);
  return ex;
}

/**
 * The file an embedded executor reads, or null for any other: what tells two embedded databases'
 * rows apart in a cache of this process (db/queries/update-rows.ts).
 */
export function embeddedFileOf(ex: object): string | null {
  return embeddedFiles.get(ex) ?? null;
}

/**
 * The one way Herald writes. All writes of this process go through one queue, so two
 * comms leads updating the same incident are applied one after the other in a consistent
 * order and never lose each other's update; the `write` (BEGIN IMMEDIATE) transaction keeps
 * that true across processes too (the CLI, a second server, Turso). A write's work touches
 * only the database through `tx`: it may run more than once (after a busy lock, or alone
 * again when the group it was committed with failed), and only its last run counts.
 */
export interface Database {
  readonly client: Client;
  write<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): void;
}

const BUSY_RETRIES = 8;

/**
 * Most writes one embedded transaction carries (group commit). Over the network every write is
 * its own transaction: a savepoint would cost two more round trips per write there.
 */
const GROUP_LIMIT = 32;

interface QueuedWrite {
  work: (tx: Transaction) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface DatabaseOptions {
  /**
   * What each write waits for before it runs (default: the next turn of the event loop). The Node
   * server passes readers-first turns (api/runtime/readers-first.ts), so that writes queued behind
   * each other leave the serving thread to the page while readers are waiting.
   */
  writerTurn?: () => Promise<void>;
}

export function createDatabase(client: Client, options: DatabaseOptions = {}): Database {
  const overNetwork = client.protocol !== "file";
  const writerTurn = options.writerTurn ?? nextTurn;
  markRemote(client, overNetwork);
  const groupLimit = overNetwork ? 1 : GROUP_LIMIT;
  const waiting: QueuedWrite[] = [];
  let draining = false;

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

  async function runAlone(write: QueuedWrite): Promise<void> {
    try {
      write.resolve(await runWithRetry(write.work));
    } catch (error) {
      write.reject(error);
    }
  }

  /**
   * Writes that queued up while another was running commit together: one transaction, one
   * fsync, each write inside its own savepoint, so a write that fails is undone alone and the
   * others still commit. Each is answered only after the commit. Between two writes of a group
   * the event loop takes a turn, so pages and reads are served meanwhile, as between transactions.
   */
  async function runGroup(group: QueuedWrite[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await runWithRetry(async (tx) => {
        const done: Outcome[] = [];
        for (const write of group) {
          if (done.length > 0) await writerTurn();
          await tx.execute("SAVEPOINT herald_write");
          try {
            done.push({ ok: true, value: await write.work(tx) });
            await tx.execute("RELEASE herald_write");
          } catch (error) {
            // Throws only when the transaction itself is lost (then the whole group is retried below).
            await tx.execute("ROLLBACK TO herald_write");
            await tx.execute("RELEASE herald_write");
            done.push({ ok: false, error });
          }
        }
        return done;
      });
    } catch {
      // The group's transaction failed as a whole (it could not begin or commit, or an error
      // undid more than one write): nothing of it was stored, so each write runs again on its own
      // and meets its own fate.
      for (const write of group) await runAlone(write);
      return;
    }
    group.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }

  async function drain(): Promise<void> {
    while (waiting.length > 0) {
      // Each transaction starts on a fresh turn of the event loop: an embedded database answers
      // synchronously, so queued writes would otherwise run back to back in one turn and hold
      // every page request and API read waiting behind all of them.
      await writerTurn();
      const group = waiting.splice(0, groupLimit);
      if (group.length === 1) await runAlone(group[0]!);
      else await runGroup(group);
    }
    draining = false;
  }

  return {
    client,
    write<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!draining) {
          draining = true;
          void drain();
        }
      });
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
