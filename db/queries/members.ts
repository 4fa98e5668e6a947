/** Console members, their sign-in links and sessions (migration 0013). */
import type { Row } from "@libsql/client";
import type { Executor } from "../database.ts";
import type { MemberRecord, MemberRole } from "../records.ts";
import { str, strOrNull } from "./rows.ts";

const COLUMNS = "id, name, email, role, created_at, removed_at";

function toMember(row: Row): MemberRecord {
  return {
    id: str(row, "id"),
    name: str(row, "name"),
    email: str(row, "email"),
    role: str(row, "role") as MemberRole,
    createdAt: str(row, "created_at"),
    removedAt: strOrNull(row, "removed_at"),
  };
}

export async function insertMember(ex: Executor, m: MemberRecord): Promise<void> {
  await ex.execute({ sql: `INSERT INTO members (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`, args: [m.id, m.name, m.email, m.role, m.createdAt, m.removedAt] });
}

export async function getMember(ex: Executor, id: string): Promise<MemberRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM members WHERE id = ?`, args: [id] });
  return result.rows[0] ? toMember(result.rows[0]) : null;
}

/** The current (not removed) member with this address, compared without regard to case. */
export async function findMemberByEmail(ex: Executor, email: string): Promise<MemberRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM members WHERE lower(email) = lower(?) AND removed_at IS NULL`, args: [email] });
  return result.rows[0] ? toMember(result.rows[0]) : null;
}

/** Current members, oldest first. */
export async function listMembers(ex: Executor): Promise<MemberRecord[]> {
  const result = await ex.execute(`SELECT ${COLUMNS} FROM members WHERE removed_at IS NULL ORDER BY created_at, id`);
  return result.rows.map(toMember);
}

/** Marks a member removed and revokes every session of theirs; false when already removed or unknown. */
export async function removeMember(ex: Executor, id: string, at: string): Promise<boolean> {
  const result = await ex.execute({ sql: "UPDATE members SET removed_at = ? WHERE id = ? AND removed_at IS NULL", args: [at, id] });
  if (result.rowsAffected === 0) return false;
  await ex.execute({ sql: "UPDATE console_sessions SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL", args: [at, id] });
  await ex.execute({ sql: "UPDATE console_sign_in_links SET used_at = ? WHERE member_id = ? AND used_at IS NULL", args: [at, id] });
  return true;
}

/** Stores a sign-in link (its token's hash; a mailed link also its nonce, to derive the token again at send time). Returns its id. */
export async function insertSignInLink(ex: Executor, link: { tokenHash: string; nonce?: string; memberId: string; createdAt: string; expiresAt: string }): Promise<number> {
  const result = await ex.execute({
    sql: "INSERT INTO console_sign_in_links (token_hash, nonce, member_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, NULL) RETURNING id",
    args: [link.tokenHash, link.nonce ?? null, link.memberId, link.createdAt, link.expiresAt],
  });
  return Number(result.rows[0]!.id);
}

export async function getSignInLink(ex: Executor, tokenHash: string): Promise<{ memberId: string; expiresAt: string; usedAt: string | null } | null> {
  const result = await ex.execute({ sql: "SELECT member_id, expires_at, used_at FROM console_sign_in_links WHERE token_hash = ?", args: [tokenHash] });
  const row = result.rows[0];
  return row ? { memberId: str(row, "member_id"), expiresAt: str(row, "expires_at"), usedAt: strOrNull(row, "used_at") } : null;
}

/** Uses a link once: false when it was already used (a second click, a race). */
export async function useSignInLink(ex: Executor, tokenHash: string, at: string): Promise<boolean> {
  const result = await ex.execute({ sql: "UPDATE console_sign_in_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", args: [at, tokenHash] });
  return result.rowsAffected > 0;
}

export async function insertSession(ex: Executor, s: { tokenHash: string; memberId: string; at: string }): Promise<void> {
  await ex.execute({
    sql: "INSERT INTO console_sessions (token_hash, member_id, created_at, last_seen_at, revoked_at) VALUES (?, ?, ?, ?, NULL)",
    args: [s.tokenHash, s.memberId, s.at, s.at],
  });
}

export async function getSession(ex: Executor, tokenHash: string): Promise<{ memberId: string; createdAt: string; lastSeenAt: string; revokedAt: string | null } | null> {
  const result = await ex.execute({ sql: "SELECT member_id, created_at, last_seen_at, revoked_at FROM console_sessions WHERE token_hash = ?", args: [tokenHash] });
  const row = result.rows[0];
  return row ? { memberId: str(row, "member_id"), createdAt: str(row, "created_at"), lastSeenAt: str(row, "last_seen_at"), revokedAt: strOrNull(row, "revoked_at") } : null;
}

export async function touchSession(ex: Executor, tokenHash: string, at: string): Promise<void> {
  await ex.execute({ sql: "UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ? AND revoked_at IS NULL", args: [at, tokenHash] });
}

export async function revokeSession(ex: Executor, tokenHash: string, at: string): Promise<boolean> {
  const result = await ex.execute({ sql: "UPDATE console_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", args: [at, tokenHash] });
  return result.rowsAffected > 0;
}
