/**
 * The local-database side of `herald keys …` (the commands are in bin/commands/keys.ts): API keys
 * are managed on the LOCAL database directly (DATABASE_URL), not over HTTP, so the very first
 * admin key can be made before any key exists. The database modules are loaded only here, and
 * only when called, so the HTTP commands start without loading libSQL.
 */
import type { Role } from "../domain/roles.ts";
import type { Database } from "../db/database.ts";
import type { Actor, ApiKeyRecord } from "../db/records.ts";

/** Who the audit log says made the change. */
const CLI_ACTOR: Actor = { id: null, name: "cli", role: "admin" };

export interface KeyDatabase {
  url: string;
  authToken: string | undefined;
}

/** The API's public shape of a key: never the hash, never the token. */
export interface KeyJson {
  id: string;
  name: string;
  role: Role;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

function keyJson(key: ApiKeyRecord): KeyJson {
  return { id: key.id, name: key.name, role: key.role, created_at: key.createdAt, revoked_at: key.revokedAt, last_used_at: key.lastUsedAt };
}

/** Opens the local database for one piece of work, and closes it. */
export async function withDatabase<T>(target: KeyDatabase, work: (db: Database) => Promise<T>): Promise<T> {
  const { openNodeDatabase } = await import("../db/open-node.ts");
  const { db } = await openNodeDatabase(target.url, target.authToken);
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

export async function createKeyLocally(target: KeyDatabase, name: string, role: Role): Promise<{ key: KeyJson; token: string }> {
  const { createKey } = await import("../api/service/keys.ts");
  return withDatabase(target, async (db) => {
    const now = new Date().toISOString();
    const { key, token } = await db.write((tx) => createKey({ tx, actor: CLI_ACTOR, now, hooks: {} }, name, role));
    return { key: keyJson(key), token };
  });
}

export async function listKeysLocally(target: KeyDatabase): Promise<KeyJson[]> {
  const { listKeys } = await import("../db/queries/keys.ts");
  return withDatabase(target, async (db) => (await listKeys(db.client)).map(keyJson));
}

/** Revokes a key; `alreadyRevoked` when it had been revoked before (nothing changes then). */
export async function revokeKeyLocally(target: KeyDatabase, id: string): Promise<{ key: KeyJson; alreadyRevoked: boolean }> {
  const { revokeKey } = await import("../api/service/keys.ts");
  return withDatabase(target, async (db) => {
    const now = new Date().toISOString();
    const key = await db.write((tx) => revokeKey({ tx, actor: CLI_ACTOR, now, hooks: {} }, id));
    return { key: keyJson(key), alreadyRevoked: key.revokedAt !== now };
  });
}
