import { newId } from "../domain/ids.ts";
import { connectNode } from "./connect.ts";
import type { Database, DatabaseOptions } from "./database.ts";
import { applyMigrations } from "./migrate.ts";
import { loadMigrations } from "./migrations-node.ts";
import { ensurePage } from "./queries/page.ts";

/** Opens the database, brings its schema up to date and makes sure the page has its id. */
export async function openNodeDatabase(url: string, authToken?: string, options: DatabaseOptions = {}): Promise<{ db: Database; pageId: string }> {
  const db = connectNode(url, authToken, options);
  try {
    await applyMigrations(db, loadMigrations());
    const pageId = await db.write((tx) => ensurePage(tx, newId(), new Date().toISOString()));
    return { db, pageId };
  } catch (error) {
    db.close();
    throw error;
  }
}
