/**
 * The local-database side of `herald members …` and `herald console link` (bin/commands/members.ts):
 * like API keys, members are managed on the local database directly (DATABASE_URL), so the first
 * admin can be added and signed in before anyone can sign in to add them.
 */
import type { Actor, MemberRecord, MemberRole } from "../db/records.ts";
import type { WriteContext } from "../api/service/context.ts";
import { withDatabase, type KeyDatabase } from "./local-keys.ts";

const CLI_ACTOR: Actor = { id: null, name: "cli", role: "admin" };

export interface MemberJson {
  id: string;
  name: string;
  email: string;
  role: MemberRole;
  created_at: string;
  removed_at: string | null;
}

const memberJson = (m: MemberRecord): MemberJson => ({ id: m.id, name: m.name, email: m.email, role: m.role, created_at: m.createdAt, removed_at: m.removedAt });


/** A write by the CLI, now. */
const context = (tx: WriteContext["tx"]): WriteContext => ({ tx, actor: CLI_ACTOR, now: new Date().toISOString(), hooks: {} });

export async function addMemberLocally(target: KeyDatabase, input: { name: string; email: string; role: MemberRole }): Promise<MemberJson> {
  const { addMember } = await import("../api/service/members.ts");
  return withDatabase(target, async (db) => memberJson(await db.write((tx) => addMember(context(tx), input))));
}

export async function listMembersLocally(target: KeyDatabase): Promise<MemberJson[]> {
  const { listMembers } = await import("../db/queries/members.ts");
  return withDatabase(target, async (db) => (await listMembers(db.client)).map(memberJson));
}

/** Removes a member by id or address; their sessions end at once. */
export async function removeMemberLocally(target: KeyDatabase, idOrEmail: string): Promise<MemberJson> {
  const { removeMember } = await import("../api/service/members.ts");
  const { findMemberByEmail } = await import("../db/queries/members.ts");
  return withDatabase(target, async (db) =>
    memberJson(
      await db.write(async (tx) => {
        const id = idOrEmail.includes("@") ? ((await findMemberByEmail(tx, idOrEmail))?.id ?? idOrEmail) : idOrEmail;
        return removeMember(context(tx), id);
      }),
    ),
  );
}

/** A single-use sign-in token for the member with this address, or null when there is none. */
export async function signInTokenLocally(target: KeyDatabase, email: string): Promise<{ member: MemberJson; token: string; expiresAt: string } | null> {
  const { createSignInToken } = await import("../api/service/members.ts");
  const { findMemberByEmail } = await import("../db/queries/members.ts");
  return withDatabase(target, async (db) =>
    db.write(async (tx) => {
      const member = await findMemberByEmail(tx, email.trim());
      if (!member) return null;
      const { token, expiresAt } = await createSignInToken(context(tx), member.id);
      return { member: memberJson(member), token, expiresAt };
    }),
  );
}
