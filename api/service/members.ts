/**
 * Comms-console members and their sign-in (issue 13's groundwork: the rules, the store and the
 * service the console pages and `herald members` will use). Tokens are 256 random bits, stored
 * only as SHA-256; every change is audited like an API write.
 */
import { SIGN_IN_LINK_TTL_MS, sessionState, signInLinkUsable, touchDue } from "../../domain/console-session.ts";
import { normalizeEmail } from "../../domain/email.ts";
import { newId } from "../../domain/ids.ts";
import { insertAudit } from "../../db/queries/audit.ts";
import {
  findMemberByEmail,
  getMember,
  getSession,
  getSignInLink,
  insertMember,
  insertSession,
  insertSignInLink,
  removeMember as removeMemberRow,
  revokeSession,
  useSignInLink,
} from "../../db/queries/members.ts";
import type { Executor } from "../../db/database.ts";
import type { MemberRecord, MemberRole } from "../../db/records.ts";
import { enqueueSignIn } from "../../db/queries/outbox.ts";
import { randomBase64url, sha256HexSync } from "../encoding.ts";
import { signInMailToken } from "../mail/sign-in.ts";
import { notFound, Problem, unprocessable } from "../problem.ts";
import type { WriteContext } from "./context.ts";

export async function addMember(ctx: WriteContext, input: { name: string; email: string; role: MemberRole }): Promise<MemberRecord> {
  const email = normalizeEmail(input.email);
  if (!email) throw unprocessable("The address is not a valid e-mail address.", [{ field: "email", message: "Must be an e-mail address such as ada@example.com." }]);
  if (await findMemberByEmail(ctx.tx, email)) {
    throw new Problem(409, "Conflict", `${email} is a member already.`, { errors: [{ field: "email", message: "Already a member." }] });
  }
  const member: MemberRecord = { id: newId(), name: input.name, email, role: input.role, createdAt: ctx.now, removedAt: null };
  await insertMember(ctx.tx, member);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "member.add", entityType: "member", entityId: member.id, details: { name: member.name, email, role: member.role } });
  return member;
}

/** Removes a member: their sessions and unused sign-in links end at once. */
export async function removeMember(ctx: WriteContext, id: string): Promise<MemberRecord> {
  const member = await getMember(ctx.tx, id);
  if (!member || member.removedAt) throw notFound("member", id);
  await removeMemberRow(ctx.tx, id, ctx.now);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "member.remove", entityType: "member", entityId: id, details: { name: member.name, email: member.email } });
  return (await getMember(ctx.tx, id))!;
}

/** A single-use sign-in token for a current member (its link: `<page>/console/sign-in/<token>`), valid SIGN_IN_LINK_TTL_MS. */
export async function createSignInToken(ctx: WriteContext, memberId: string): Promise<{ token: string; expiresAt: string }> {
  const member = await getMember(ctx.tx, memberId);
  if (!member || member.removedAt) throw notFound("member", memberId);
  const token = randomBase64url(32);
  const expiresAt = new Date(Date.parse(ctx.now) + SIGN_IN_LINK_TTL_MS).toISOString();
  await insertSignInLink(ctx.tx, { tokenHash: sha256HexSync(token), memberId, createdAt: ctx.now, expiresAt });
  return { token, expiresAt };
}

/**
 * Mails a single-use sign-in link to the current member with this address (an outbox row, sent
 * by the one mail sender); false, and nothing written, when the address is no member's. The
 * caller answers the same either way, so the form cannot tell who is a member.
 */
export async function mailSignInLink(ctx: WriteContext, email: string, secret: string): Promise<boolean> {
  const normalized = normalizeEmail(email);
  const member = normalized ? await findMemberByEmail(ctx.tx, normalized) : null;
  if (!member) return false;
  const nonce = randomBase64url(16);
  const expiresAt = new Date(Date.parse(ctx.now) + SIGN_IN_LINK_TTL_MS).toISOString();
  const signInId = await insertSignInLink(ctx.tx, { tokenHash: sha256HexSync(signInMailToken(secret, nonce)), nonce, memberId: member.id, createdAt: ctx.now, expiresAt });
  await enqueueSignIn(ctx.tx, { signInId, now: ctx.now });
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "member.sign_in_link_mailed", entityType: "member", entityId: member.id, details: {} });
  return true;
}

/**
 * Trades a sign-in token for a session (its token goes in the cookie), or null: unknown,
 * expired, already used, or its member removed. The link is used up either way it succeeds.
 */
export async function signIn(ctx: WriteContext, token: string): Promise<{ sessionToken: string; member: MemberRecord } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const hash = sha256HexSync(token);
  const link = await getSignInLink(ctx.tx, hash);
  if (!link || !signInLinkUsable(link, ctx.now)) return null;
  const member = await getMember(ctx.tx, link.memberId);
  if (!member || member.removedAt) return null;
  if (!(await useSignInLink(ctx.tx, hash, ctx.now))) return null;
  const sessionToken = randomBase64url(32);
  await insertSession(ctx.tx, { tokenHash: sha256HexSync(sessionToken), memberId: member.id, at: ctx.now });
  await insertAudit(ctx.tx, { at: ctx.now, actor: { id: member.id, name: member.name, role: member.role }, action: "member.sign_in", entityType: "member", entityId: member.id, details: {} });
  return { sessionToken, member };
}

/** The member a session token stands for while it is live, else null; `touch` says whether its last use should be written. */
export async function sessionMember(ex: Executor, token: string, now: string): Promise<{ member: MemberRecord; tokenHash: string; touch: boolean } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const tokenHash = sha256HexSync(token);
  const session = await getSession(ex, tokenHash);
  if (!session) return null;
  const member = await getMember(ex, session.memberId);
  if (sessionState(session, member, now) !== "live") return null;
  return { member: member!, tokenHash, touch: touchDue(session.lastSeenAt, now) };
}


/** Ends a session (sign out). */
export async function signOut(ctx: WriteContext, token: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return;
  await revokeSession(ctx.tx, sha256HexSync(token), ctx.now);
}
