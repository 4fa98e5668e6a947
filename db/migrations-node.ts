import { readdirSync, readFileSync } from "node:fs";
import type { Migration } from "./migrate.ts";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);

/** Reads `db/migrations/NNNN_name.sql` from disk (Node); the Worker bundles the same files. */
export function loadMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ id: name.replace(/\.sql$/, ""), sql: readFileSync(new URL(name, MIGRATIONS_DIR), "utf8") }));
}
