import { sha256Hex } from "../domain/digest.ts";
import type { Database } from "./database.ts";

export interface Migration {
  /** File name without extension, e.g. `0001_init`; applied in this order. */
  id: string;
  sql: string;
}

export class MigrationError extends Error {}

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own write
 * transaction, so concurrent starters (server and CLI) apply each exactly once. A released
 * migration is never edited: if an applied one's checksum no longer matches its file,
 * Herald refuses to start rather than run against a schema it does not know.
 */
export async function applyMigrations(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  if (db.client.protocol === "file") {
    // WAL lets the page builder and API readers read while a write is in progress.
    await db.client.execute("PRAGMA journal_mode = WAL");
  }
  await db.client.execute(
    "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const sorted = [...migrations].sort((a, b) => a.id.localeCompare(b.id));
  const applied: string[] = [];
  for (const migration of sorted) {
    const checksum = await sha256Hex(migration.sql);
    const didApply = await db.write(async (tx) => {
      const existing = await tx.execute({ sql: "SELECT checksum FROM schema_migrations WHERE id = ?", args: [migration.id] });
      const row = existing.rows[0];
      if (row) {
        if (row.checksum !== checksum) {
          throw new MigrationError(
            `Migration ${migration.id} was edited after it was applied; add a new migration instead.`,
          );
        }
        return false;
      }
      await tx.executeMultiple(migration.sql);
      await tx.execute({
        sql: "INSERT INTO schema_migrations (id, checksum, applied_at) VALUES (?, ?, ?)",
        args: [migration.id, checksum, new Date().toISOString()],
      });
      return true;
    });
    if (didApply) applied.push(migration.id);
  }
  return applied;
}
