import { createClient } from "@libsql/client";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, type Database } from "./database.ts";
import { keepPreparedStatements } from "./prepared-statements.ts";

export const DEFAULT_DATABASE_URL = "file:data/herald.db";

/**
 * Opens the database named by a libSQL URL on Node: `file:` (embedded; its directory is
 * created if missing) or `libsql://` / `https://` with an auth token (Turso, sqld).
 */
export function connectNode(url: string = DEFAULT_DATABASE_URL, authToken?: string): Database {
  if (url.startsWith("file:")) {
    const path = url.startsWith("file://") ? fileURLToPath(url) : url.slice("file:".length).split("?")[0]!;
    mkdirSync(dirname(path), { recursive: true });
  }
  keepPreparedStatements();
  // timeout = SQLite busy timeout in ms for embedded files: wait for another writer, don't fail.
  const client = createClient({ url, authToken: authToken || undefined, timeout: 5000 });
  return createDatabase(client);
}
