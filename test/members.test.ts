/**
 * The console's members, sign-in links and sessions (issue 13's groundwork) on a real libSQL file:
 * single-use links, idle expiry, revocation by sign-out and by removal, tokens stored only hashed,
 * every change audited.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { WriteContext } from "../api/service/context.ts";
import { addMember, createSignInToken, removeMember, sessionMember, signIn, signOut } from "../api/service/members.ts";
import { listMembers } from "../db/queries/members.ts";
import { SESSION_IDLE_MS, SIGN_IN_LINK_TTL_MS } from "../domain/console-session.ts";
import { snapshotDatabase, startTestHerald, type TestHerald } from "./harness.ts";

let h: TestHerald;
beforeAll(async () => {
  h = await startTestHerald();
  h.clock.set("2026-12-03T10:00:00.000Z");
});
afterAll(() => h.close());

const admin = { id: null, name: "setup", role: "admin" as const };
const write = <T>(work: (ctx: WriteContext) => Promise<T>): Promise<T> =>
  h.db.write((tx) => work({ tx, actor: admin, now: h.clock.now().toISOString(), hooks: {} }));
const now = () => h.clock.now().toISOString();

describe("members", () => {
  test("added with a normalized address, once; a bad or taken address changes nothing", async () => {
    const ada = await write((ctx) => addMember(ctx, { name: "Ada", email: "  Ada@Example.COM ", role: "admin" }));
    expect(ada).toMatchObject({ name: "Ada", email: "Ada@example.com", role: "admin", removedAt: null });
    const before = await snapshotDatabase(h.db);
    await expect(write((ctx) => addMember(ctx, { name: "Ada again", email: "ada@example.com", role: "comms" }))).rejects.toMatchObject({ status: 409 });
    await expect(write((ctx) => addMember(ctx, { name: "Nobody", email: "not an address", role: "comms" }))).rejects.toMatchObject({ status: 422 });
    expect(await snapshotDatabase(h.db)).toBe(before);
    expect((await listMembers(h.db.client)).map((m) => m.email)).toContain("Ada@example.com");
  });
});

describe("signing in", () => {
  test("a link works once, within 15 minutes, and gives a session; tokens are stored only hashed", async () => {
    const cole = await write((ctx) => addMember(ctx, { name: "Cole", email: "cole@example.com", role: "comms" }));
    const { token } = await write((ctx) => createSignInToken(ctx, cole.id));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const first = await write((ctx) => signIn(ctx, token));
    expect(first?.member.id).toBe(cole.id);
    expect(await write((ctx) => signIn(ctx, token))).toBeNull(); // used
    const dump = await snapshotDatabase(h.db);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(first!.sessionToken);
    expect((await sessionMember(h.db.client, first!.sessionToken, now()))?.member.name).toBe("Cole");

    const late = await write((ctx) => createSignInToken(ctx, cole.id));
    h.clock.advance(SIGN_IN_LINK_TTL_MS);
    expect(await write((ctx) => signIn(ctx, late.token))).toBeNull(); // expired
    expect(await write((ctx) => signIn(ctx, "x".repeat(43)))).toBeNull(); // unknown
    expect(await write((ctx) => signIn(ctx, "not a token"))).toBeNull();
  });

  test("a session ends after 12 idle hours, at sign-out, and when its member is removed", async () => {
    const dee = await write((ctx) => addMember(ctx, { name: "Dee", email: "dee@example.com", role: "comms" }));
    const session = async () => (await write(async (ctx) => signIn(ctx, (await createSignInToken(ctx, dee.id)).token)))!.sessionToken;

    const idle = await session();
    h.clock.advance(SESSION_IDLE_MS - 1);
    expect(await sessionMember(h.db.client, idle, now())).not.toBeNull();
    h.clock.advance(1);
    expect(await sessionMember(h.db.client, idle, now())).toBeNull();

    const out = await session();
    await write((ctx) => signOut(ctx, out));
    expect(await sessionMember(h.db.client, out, now())).toBeNull();

    const kept = await session();
    const unused = await write((ctx) => createSignInToken(ctx, dee.id));
    await write((ctx) => removeMember(ctx, dee.id));
    expect(await sessionMember(h.db.client, kept, now())).toBeNull();
    expect(await write((ctx) => signIn(ctx, unused.token))).toBeNull();
    await expect(write((ctx) => createSignInToken(ctx, dee.id))).rejects.toMatchObject({ status: 404 });
    // The address can be a member again, as a new member.
    const again = await write((ctx) => addMember(ctx, { name: "Dee", email: "dee@example.com", role: "admin" }));
    expect(again.id).not.toBe(dee.id);
  });

  test("every change is audited, a sign-in under the member's own name", async () => {
    const audit = await h.db.client.execute("SELECT action, actor_name FROM audit_log WHERE action LIKE 'member.%' ORDER BY id");
    const actions = audit.rows.map((r) => `${r.action}:${r.actor_name}`);
    expect(actions).toContain("member.add:setup");
    expect(actions).toContain("member.sign_in:Cole");
    expect(actions).toContain("member.remove:setup");
  });
});
