/**
 * `npm run db:migrate`: applies db/migrations to the database named by DATABASE_URL (with
 * DATABASE_AUTH_TOKEN for Turso), the same files the Node server applies by itself at start.
 * The Worker never migrates: run this before `npm run deploy` whenever migrations were added.
 */
import { newId } from "../domain/ids.ts";
import { connectNode, DEFAULT_DATABASE_URL } from "../db/connect.ts";
import { applyMigrations } from "../db/migrate.ts";
import { ensurePage } from "../db/queries/page.ts";
import { loadMigrations } from "../db/migrations-node.ts";

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const where = url.replace(/\?.*$/, ""); // a libsql:// URL may carry credentials in its query
try {
  const db = connectNode(url, process.env.DATABASE_AUTH_TOKEN);
  try {
    const applied = await applyMigrations(db, loadMigrations());
    await db.write((tx) => ensurePage(tx, newId(), new Date().toISOString()));
    const total = (await db.client.execute("SELECT COUNT(*) AS n FROM schema_migrations")).rows[0]?.n;
    console.log(`${where}: schema up to date (${total} migrations${applied.length ? `; applied now: ${applied.join(", ")}` : "; nothing to apply"})`);
  } finally {
    db.close();
  }
} catch (error) {
  console.error(`${where}: migration failed: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
}
