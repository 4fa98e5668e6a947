import type { Row } from "@libsql/client";
import type { Role } from "../../domain/roles.ts";
import type { Executor } from "../database.ts";
import type { ApiKeyRecord } from "../records.ts";
import { str, strOrNull } from "./rows.ts";

const COLUMNS = "id, name, role, secret_hash, created_at, revoked_at, last_used_at";

function toRecord(row: Row): ApiKeyRecord {
  return {
    id: str(row, "id"),
    name: str(row, "name"),
    role: str(row, "role") as Role,
    secretHash: str(row, "secret_hash"),
    createdAt: str(row, "created_at"),
    revokedAt: strOrNull(row, "revoked_at"),
    lastUsedAt: strOrNull(row, "last_used_at"),
  };
}

export async function insertKey(ex: Executor, key: ApiKeyRecord): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO api_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [key.id, key.name, key.role, key.secretHash, key.createdAt, key.revokedAt, key.lastUsedAt],
  });
}

export async function getKey(ex: Executor, id: string): Promise<ApiKeyRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM api_keys WHERE id = ?`, args: [id] });
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function listKeys(ex: Executor): Promise<ApiKeyRecord[]> {
  const result = await ex.execute(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
  return result.rows.map(toRecord);
}

export async function revokeKey(ex: Executor, id: string, at: string): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
    args: [at, id],
  });
  return result.rowsAffected > 0;
}

/** Last use, at most once a minute per key: a read-mostly hot path should not write on every request. */
export async function touchKey(ex: Executor, id: string, at: string): Promise<void> {
  await ex.execute({
    sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
    args: [at, id, new Date(Date.parse(at) - 60_000).toISOString()],
  });
}
