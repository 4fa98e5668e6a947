import { newId } from "../../domain/ids.ts";
import type { Role } from "../../domain/roles.ts";
import { insertAudit } from "../../db/queries/audit.ts";
import { getKey, insertKey, revokeKey as revokeKeyRow } from "../../db/queries/keys.ts";
import type { Executor } from "../../db/database.ts";
import type { ApiKeyRecord } from "../../db/records.ts";
import { sha256HexSync } from "../encoding.ts";
import { notFound } from "../problem.ts";
import type { WriteContext } from "./context.ts";

/**
 * Tokens look like `hk_<key id>_<43 base64url chars>`: the id finds the key, and only a
 * SHA-256 of the secret part is stored (the secret has 256 random bits, so a slow hash adds
 * nothing). The comparison of hashes is constant-time.
 */
const TOKEN_PATTERN = /^hk_([0-9a-z]{12})_([A-Za-z0-9_-]{43})$/;

// Synchronous (@noble/hashes): Web Crypto's async digest cost ~0.25 ms of job scheduling on every
// authenticated request, more than the hash itself.
export const hashSecret = sha256HexSync;

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export async function createKey(ctx: WriteContext, name: string, role: Role): Promise<{ key: ApiKeyRecord; token: string }> {
  const id = newId();
  const secret = randomSecret();
  const key: ApiKeyRecord = { id, name, role, secretHash: hashSecret(secret), createdAt: ctx.now, revokedAt: null, lastUsedAt: null };
  await insertKey(ctx.tx, key);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "key.create", entityType: "api_key", entityId: id, details: { name, role } });
  return { key, token: `hk_${id}_${secret}` };
}

export async function revokeKey(ctx: WriteContext, id: string): Promise<ApiKeyRecord> {
  const key = await getKey(ctx.tx, id);
  if (!key) throw notFound("API key", id);
  if (key.revokedAt) return key; // already revoked: nothing changes, nothing to record
  await revokeKeyRow(ctx.tx, id, ctx.now);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "key.revoke", entityType: "api_key", entityId: id, details: { name: key.name } });
  return (await getKey(ctx.tx, id))!;
}

/** Could this be a Herald API key at all? (Decided without the database.) */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** The key a bearer token stands for, or null when it is malformed, unknown, revoked or wrong. */
export async function authenticate(ex: Executor, token: string): Promise<ApiKeyRecord | null> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return null;
  const key = await getKey(ex, match[1]!);
  const presented = hashSecret(match[2]!);
  // Hash and compare even for unknown keys, so timing does not tell which key ids exist.
  const matches = constantTimeEqual(presented, key?.secretHash ?? "0".repeat(64));
  if (!key || !matches || key.revokedAt) return null;
  return key;
}

export function keyJson(key: ApiKeyRecord): Record<string, unknown> {
  return { id: key.id, name: key.name, role: key.role, created_at: key.createdAt, revoked_at: key.revokedAt, last_used_at: key.lastUsedAt };
}
