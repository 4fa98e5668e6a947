import { createClient } from "@libsql/client";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, type Database, type DatabaseOptions } from "./database.ts";
import { createEmbeddedClient } from "./embedded-client.ts";
import { keepPreparedStatements } from "./prepared-statements.ts";

export const DEFAULT_DATABASE_URL = "file:data/herald.db";

/**
 * Opens the database named by a libSQL URL on Node: `file:` (embedded; its directory is
 * created if missing) or `libsql://` / `https://` with an auth token (Turso, sqld). A plain file
 * is opened with Herald's embedded client (cheaper rows); in-memory and query-string URLs with
 * `@libsql/client`'s own.
 */
export function connectNode(url: string = DEFAULT_DATABASE_URL, authToken?: string, options: DatabaseOptions = {}): Database {
  let plainFile: string | null = null;
  if (url.startsWith("file:")) {
    const path = url.startsWith("file://") ? fileURLToPath(url) : url.slice("file:".length).split("?")[0]!;
    mkdirSync(dirname(path), { recursive: true });
    if (!url.includes("?") && !path.includes(":memory:")) plainFile = path;
  }
  keepPreparedStatements();
  // timeout = SQLite busy timeout in ms for embedded files: wait for another writer, don't fail.
  const client = plainFile !== null ? createEmbeddedClient(plainFile, { timeout: BUSY_TIMEOUT_MS }) : createClient({ url, authToken: authToken || undefined, timeout: BUSY_TIMEOUT_MS });
  return createDatabase(client, options);
}

const BUSY_TIMEOUT_MS = 5000;
