import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readConfig } from "../api/config.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { ApiError, createHeraldClient, UnreachableError } from "../bin/client.ts";
import { runHerald, type CliResult } from "./harness.ts";

/**
 * The CLI end to end: a real Herald listening on a free port, and bin/herald.ts run as a child
 * process with the Node that runs these tests. The HTTP client's retries are tested in-process
 * against a tiny local server that fails on purpose.
 */

const TOKEN_PATTERN = /^hk_[0-9a-z]{12}_[A-Za-z0-9_-]{43}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let dir: string;
let databaseUrl: string;
let server: RunningServer;
let adminToken: string;
let firstKeyRun: CliResult;

/** Runs `herald ARGS…` with only the environment given here (plus PATH), never the caller's HERALD_*. */
function herald(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    DATABASE_URL: databaseUrl,
    HERALD_URL: server.url,
    HERALD_TOKEN: adminToken,
  };
  const merged = Object.fromEntries(Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return runHerald(args, merged);
}

/** `herald ARGS…` with `input` piped on stdin. */
function heraldWithStdin(args: string[], input: string): Promise<CliResult> {
  return runHerald(args, { PATH: process.env.PATH!, DATABASE_URL: databaseUrl, HERALD_URL: server.url, HERALD_TOKEN: adminToken }, input);
}

async function apiWrite<T = any>(method: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status, path).toBeLessThan(300);
  return (await response.json()) as T;
}

async function api<T = any>(path: string, token = adminToken): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as T };
}

function lines(text: string): string[] {
  return text.replace(/\n$/, "").split("\n");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-cli-"));
  databaseUrl = `file:${join(dir, "herald.db")}`;
  server = await startServer(readConfig({ PORT: "0", DATABASE_URL: databaseUrl, PAGE_URL: "https://status.example.com" }), {
    hostname: "127.0.0.1",
    log: () => {},
  });
  // The very first key is made on the local database, since no key exists to call the API with.
  firstKeyRun = await herald(["keys", "create", "--name", "Ada Admin", "--role", "admin"], { HERALD_TOKEN: undefined });
  adminToken = firstKeyRun.stdout.trim();
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each CLI run is a fresh Node process; allow for a loaded CI machine.
const SLOW = { timeout: 60_000 };

describe("herald members and console link (local database)", SLOW, () => {
  test("add, list, print a sign-in link that signs in once, remove", async () => {
    const added = await herald(["members", "add", "--name", "Mo", "--email", "Mo@Example.com", "--role", "comms"]);
    expect(added.code, added.stderr).toBe(0);
    expect(lines(added.stdout)[0]).toMatch(/^Added comms member [0-9a-z]{12} "Mo" <Mo@example\.com>\.$/);
    expect((await herald(["members", "add", "--name", "Mo", "--email", "mo@example.com", "--role", "admin"])).code).toBe(1); // the same person
    expect((await herald(["members", "add", "--name", "X", "--email", "x@example.com", "--role", "owner"])).code).toBe(2);
    expect((await herald(["members", "list"])).stdout).toMatch(/Mo\s+Mo@example\.com\s+comms/);

    const link = await herald(["console", "link", "mo@example.com"]);
    expect(link.code, link.stderr).toBe(0);
    const url = new URL(link.stdout.trim());
    expect(url.pathname).toMatch(/^\/console\/sign-in\/[A-Za-z0-9_-]{43}$/);
    expect(link.stderr).toMatch(/^Sign-in link for Mo <Mo@example\.com>, works once until /);
    const signIn = () => fetch(`${server.url}${url.pathname}`, { method: "POST", headers: { Origin: "https://status.example.com" }, redirect: "manual" });
    expect((await signIn()).status).toBe(303);
    expect((await signIn()).status).toBe(400); // once

    const unknown = await herald(["console", "link", "nobody@example.com"]);
    expect(unknown).toEqual({ code: 1, stdout: "", stderr: "herald: nobody@example.com is not a member; add them with: herald members add --name NAME --email nobody@example.com --role comms\n" });
    const removed = await herald(["members", "remove", "mo@example.com"]);
    expect(removed.stdout).toMatch(/^Removed member [0-9a-z]{12} "Mo" <Mo@example\.com>; their sessions are over\.\n$/);
    expect((await herald(["console", "link", "mo@example.com"])).code).toBe(1);
  });
});

describe("herald keys (local database)", SLOW, () => {
  test("keys create prints the token alone on stdout, and the token works against the API", async () => {
    expect(firstKeyRun.code).toBe(0);
    expect(firstKeyRun.stdout).toMatch(/^hk_[0-9a-z]{12}_[A-Za-z0-9_-]{43}\n$/);
    expect(adminToken).toMatch(TOKEN_PATTERN);
    const keyId = adminToken.slice(3, 15);
    expect(firstKeyRun.stderr).toBe(`Created admin key ${keyId} "Ada Admin". The token below is shown once: store it now.\n`);
    expect(firstKeyRun.stderr).not.toContain(adminToken);

    expect((await api("/components")).status).toBe(200);
    expect((await api("/keys")).body).toEqual([expect.objectContaining({ id: keyId, name: "Ada Admin", role: "admin", revoked_at: null })]);
  });

  test("keys create refuses a bad role or an empty name with exit 2 and prints no token", async () => {
    const badRole = await herald(["keys", "create", "--name", "X", "--role", "owner"]);
    expect(badRole).toEqual({ code: 2, stdout: "", stderr: 'herald: role must be one of admin, comms, automation; got "owner"\n' });
    const noName = await herald(["keys", "create", "--role", "comms"]);
    expect(noName.code).toBe(2);
    expect(noName.stdout).toBe("");
    expect(noName.stderr).toBe("herald: missing --name NAME (who or what uses the key)\n");
  });

  test("keys list shows id, name, role and times, never tokens or hashes", async () => {
    const comms = await herald(["keys", "create", "--name", "Cole Comms", "--role", "comms"]);
    expect(comms.code).toBe(0);
    const commsToken = comms.stdout.trim();
    expect(commsToken).toMatch(TOKEN_PATTERN);

    const list = await herald(["keys", "list"]);
    expect(list.code).toBe(0);
    const out = lines(list.stdout);
    expect(out[0]).toMatch(/^ID\s+NAME\s+ROLE\s+CREATED\s+REVOKED\s+LAST USED$/);
    expect(out).toHaveLength(3);
    expect(out[1]).toMatch(new RegExp(`^${adminToken.slice(3, 15)}  Ada Admin\\s+admin  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ  -\\s+`));
    expect(out[2]).toMatch(new RegExp(`^${commsToken.slice(3, 15)}  Cole Comms  comms  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ  -\\s+-$`));

    const hashes = (await server.deps!.db.client.execute("SELECT secret_hash FROM api_keys")).rows.map((r) => String(r.secret_hash));
    expect(hashes).toHaveLength(2);
    const json = await herald(["keys", "list", "--json"]);
    for (const text of [list.stdout, json.stdout]) {
      expect(text).not.toContain("hk_");
      expect(text).not.toContain(adminToken.slice(16));
      expect(text).not.toContain(commsToken.slice(16));
      for (const hash of hashes) expect(text).not.toContain(hash);
    }
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(parsed.map((k) => Object.keys(k).sort())).toEqual([
      ["created_at", "id", "last_used_at", "name", "revoked_at", "role"],
      ["created_at", "id", "last_used_at", "name", "revoked_at", "role"],
    ]);
  });

  test("keys revoke makes the token fail with 401", async () => {
    const created = await herald(["keys", "create", "--name", "Temp", "--role", "comms"]);
    const token = created.stdout.trim();
    const id = token.slice(3, 15);
    expect((await api("/incidents", token)).status).toBe(200);

    const revoked = await herald(["keys", "revoke", id]);
    expect(revoked).toEqual({ code: 0, stdout: `Revoked comms key ${id} "Temp".\n`, stderr: "" });
    expect((await api("/incidents", token)).status).toBe(401);

    const refused = await herald(["incident", "list"], { HERALD_TOKEN: token });
    expect(refused).toEqual({ code: 1, stdout: "", stderr: "herald: This API key is unknown, revoked or malformed.\n" });

    const listed = await herald(["keys", "list"]);
    expect(lines(listed.stdout).find((l) => l.startsWith(id))).toMatch(/Temp\s+comms\s+\S+ \S+\s+\d{4}-\d\d-\d\d \d\d:\d\dZ/);

    const again = await herald(["keys", "revoke", id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^Key ${id} "Temp" was already revoked \\(`));

    const unknown = await herald(["keys", "revoke", "zzzzzzzzzzzz"]);
    expect(unknown).toEqual({ code: 1, stdout: "", stderr: 'herald: No API key with id "zzzzzzzzzzzz".\n' });
  });
});

describe("herald over HTTP", SLOW, () => {
  let componentId: string;
  let incidentId: string;

  test("the whole walk: component add → declare SEV1 → identified → monitoring → resolve → show", async () => {
    const added = await herald(["component", "add", "API", "--group", "Core", "--description", "Public REST API"]);
    expect(added.code).toBe(0);
    expect(added.stderr).toBe("");
    const addedMatch = /^Added component ([0-9a-z]{12}) "API" in group "Core" — operational\n$/.exec(added.stdout);
    expect(addedMatch).not.toBeNull();
    componentId = addedMatch![1]!;

    // Severity in lower case, normalized to SEV1.
    const declared = await herald([
      "incident", "create", "sev1", "API Gateway Down",
      "--body", "Requests to the API are failing; we are investigating.",
      "--component", `${componentId}=major_outage`,
    ]);
    expect(declared.code).toBe(0);
    expect(declared.stderr).toBe("");
    const out = lines(declared.stdout);
    const head = /^Declared SEV1 incident ([0-9a-z]{12}) "API Gateway Down" — investigating$/.exec(out[0]!);
    expect(head).not.toBeNull();
    incidentId = head![1]!;
    expect(out).toEqual([out[0], "  API: operational → major_outage", `https://status.example.com/incidents/${incidentId}`]);

    let state = (await api(`/incidents/${incidentId}`)).body;
    expect(state).toMatchObject({ status: "investigating", severity: "SEV1", impact: "critical", name: "API Gateway Down" });
    expect(state.components).toEqual([expect.objectContaining({ id: componentId, status: "major_outage" })]);

    const identified = await herald(["incident", "update", incidentId, "--status", "identified", "--body", "A bad gateway deploy; rolling back."]);
    expect(identified).toEqual({
      code: 0,
      stdout: `Updated incident ${incidentId} "API Gateway Down" — identified\nhttps://status.example.com/incidents/${incidentId}\n`,
      stderr: "",
    });

    // A component may be named instead of given by id.
    const monitoring = await herald(["incident", "update", incidentId, "--status", "monitoring", "--body", "Rolled back; watching.", "--component", "api=degraded_performance"]);
    expect(monitoring.code).toBe(0);
    expect(lines(monitoring.stdout)).toEqual([
      `Updated incident ${incidentId} "API Gateway Down" — monitoring`,
      "  API: major_outage → degraded_performance",
      `https://status.example.com/incidents/${incidentId}`,
    ]);
    state = (await api(`/incidents/${incidentId}`)).body;
    expect(state.status).toBe("monitoring");
    expect(state.components[0].status).toBe("degraded_performance");

    const resolved = await herald([
      "incident", "resolve", incidentId, "--body", "All requests succeed again.",
      "--root-cause", "A bad deploy of the gateway", "--prevention", "- Canary deploys for the gateway",
    ]);
    expect(resolved.code).toBe(0);
    const resolvedOut = lines(resolved.stdout);
    expect(resolvedOut[0]).toMatch(new RegExp(`^Resolved incident ${incidentId} "API Gateway Down" after \\d+s$`));
    expect(resolvedOut.slice(1)).toEqual(["  API: degraded_performance → operational", `https://status.example.com/incidents/${incidentId}`]);

    state = (await api(`/incidents/${incidentId}`)).body;
    expect(state.status).toBe("resolved");
    expect(state.resolved_at).not.toBeNull();
    expect(state.incident_updates.map((u: { status: string }) => u.status)).toEqual(["resolved", "monitoring", "identified", "investigating"]);
    // The customer notice's sections, as the flags gave them.
    expect(state.incident_updates[0]).toMatchObject({ root_cause: "A bad deploy of the gateway", prevention: "- Canary deploys for the gateway", impact: null, resolution: null });
    expect(state.components[0].status).toBe("operational");

    const shown = await herald(["incident", "show", incidentId]);
    expect(shown.code).toBe(0);
    const shownOut = lines(shown.stdout);
    expect(shownOut[0]).toMatch(new RegExp(`^SEV1 incident ${incidentId} "API Gateway Down" — resolved · INC-\\d{4}-\\d{3}$`));
    expect(shownOut[1]).toMatch(/^impact critical · started \S+ \S+ · resolved \S+ \S+ \(\d+s\)$/);
    expect(shownOut[2]).toBe(`https://status.example.com/incidents/${incidentId}`);
    expect(shownOut[3]).toBe("components: API (operational)");
    const updateHeads = shownOut.filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\dZ  /.test(l)).map((l) => l.slice(19));
    expect(updateHeads).toEqual(["resolved  by Ada Admin", "monitoring  by Ada Admin", "identified  by Ada Admin", "investigating  by Ada Admin"]);
    expect(shownOut).toContain("    Requests to the API are failing; we are investigating.");
    expect(shownOut).toContain("  API: operational → major_outage");

    const showJson = await herald(["incident", "show", incidentId, "--json"]);
    expect(JSON.parse(showJson.stdout)).toEqual(state);

    const listResolved = await herald(["incident", "list", "--resolved"]);
    expect(lines(listResolved.stdout)[0]).toMatch(/^ID\s+NUMBER\s+SEV\s+STATUS\s+STARTED\s+UPDATED\s+NAME$/);
    expect(lines(listResolved.stdout)[1]).toMatch(new RegExp(`^${incidentId}  INC-\\d{4}-001  SEV1  resolved  \\S+ \\S+  \\S+ \\S+  API Gateway Down$`));
    expect((await herald(["incident", "list", "--open"])).stdout).toBe("No incidents.\n");
  });

  test("a refused transition prints one clear line on stderr, exits 1 and changes nothing", async () => {
    const before = (await api(`/incidents/${incidentId}`)).body;
    const refused = await herald(["incident", "update", incidentId, "--status", "identified", "--body", "Back again?"]);
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr: 'herald: Cannot move an incident from "resolved" to "identified"; allowed: resolved. Add --reopen to reopen it.\n',
    });
    expect((await api(`/incidents/${incidentId}`)).body).toEqual(before);

    const reopened = await herald(["incident", "update", incidentId, "--status", "identified", "--body", "It is back.", "--reopen", "--no-notify"]);
    expect(reopened.code).toBe(0);
    expect(lines(reopened.stdout)[0]).toBe(`Reopened incident ${incidentId} "API Gateway Down" — identified (subscribers not notified)`);
    const after = (await api(`/incidents/${incidentId}`)).body;
    expect(after.status).toBe("identified");
    expect(after.incident_updates[0].deliver_notifications).toBe(false);
    await herald(["incident", "resolve", incidentId, "--body", "Fixed for good."]);
  });

  test("field errors from Herald follow the detail line; nothing is created", async () => {
    const before = (await api("/incidents")).body.length;
    const result = await herald(["incident", "create", "SEV2", "Ghost", "--body", "x", "--component", "abcdefabcdef=major_outage"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: 'herald: Some components cannot be updated.\n  components.abcdefabcdef: No component with id "abcdefabcdef".\n',
    });
    const unknownName = await herald(["incident", "create", "SEV2", "Ghost", "--body", "x", "--component", "Nope=major_outage"]);
    expect(unknownName).toEqual({ code: 1, stdout: "", stderr: 'herald: no component "Nope" (see: herald component list)\n' });
    expect((await api("/incidents")).body.length).toBe(before);
  });

  test("a comms key may declare incidents but not add components", async () => {
    const comms = (await herald(["keys", "create", "--name", "Cole", "--role", "comms"])).stdout.trim();
    const refused = await herald(["component", "add", "Web"], { HERALD_TOKEN: comms });
    expect(refused).toEqual({ code: 1, stdout: "", stderr: "herald: A comms key may not do this (component:write); use an admin key.\n" });
    const declared = await herald(["incident", "create", "3", "Slow", "search", "--body", "Searches are slow."], { HERALD_TOKEN: comms });
    expect(declared.code).toBe(0);
    expect(lines(declared.stdout)[0]).toMatch(/^Declared SEV3 incident [0-9a-z]{12} "Slow search" — investigating$/);
    const id = lines(declared.stdout)[0]!.split(" ")[3]!;
    expect((await api(`/incidents/${id}`)).body.incident_updates[0].author).toBe("Cole");
  });

  test("component set and component list", async () => {
    const set = await herald(["component", "set", componentId, "partial_outage"]);
    expect(set).toEqual({ code: 0, stdout: `Set component ${componentId} "API": operational → partial_outage\n`, stderr: "" });
    expect((await api("/components")).body.find((c: { id: string }) => c.id === componentId).status).toBe("partial_outage");

    await herald(["component", "add", "Web", "--status", "degraded-performance"]);
    const list = await herald(["component", "list"]);
    expect(list.code).toBe(0);
    const out = lines(list.stdout);
    expect(out[0]).toMatch(/^ID\s+NAME\s+STATUS$/);
    expect(out[1]).toMatch(/^[0-9a-z]{12}  Core\s+partial_outage \(group\)$/);
    expect(out[2]).toMatch(new RegExp(`^${componentId}    API\\s+partial_outage$`));
    expect(out[3]).toMatch(/^[0-9a-z]{12}  Web\s+degraded_performance$/);

    const group = await herald(["component", "set", "Core", "operational"]);
    expect(group).toEqual({ code: 1, stdout: "", stderr: 'herald: "Core" is a group; name its components instead (see: herald component list)\n' });
    await herald(["component", "set", "API", "operational"]);
  });

  test("maintenance schedule and update", async () => {
    const scheduled = await herald([
      "maintenance", "schedule", "Database upgrade",
      "--start", "2030-01-01T10:00:00Z", "--end", "2030-01-01T12:00:00Z",
      "--body", "Brief read-only periods.", "--component", componentId,
    ]);
    expect(scheduled.code).toBe(0);
    const out = lines(scheduled.stdout);
    const id = /^Scheduled maintenance ([0-9a-z]{12}) "Database upgrade" — 2030-01-01 10:00Z → 2030-01-01 12:00Z$/.exec(out[0]!)?.[1];
    expect(id).toBeDefined();
    expect(out.slice(1)).toEqual(["  affects: API", `https://status.example.com/incidents/${id}`]);

    const started = await herald(["maintenance", "update", id!, "--status", "in-progress", "--body", "The upgrade has started."]);
    expect(started.code).toBe(0);
    expect(lines(started.stdout)).toEqual([
      `Updated maintenance ${id} "Database upgrade" — in_progress`,
      "  API: operational → under_maintenance",
      `https://status.example.com/incidents/${id}`,
    ]);
    expect((await api(`/maintenances/${id}`)).body.status).toBe("in_progress");

    const listed = await herald(["maintenance", "list", "--open"]);
    expect(lines(listed.stdout)[1]).toMatch(new RegExp(`^${id}  in_progress  2030-01-01 10:00Z  2030-01-01 12:00Z  Database upgrade$`));

    const backwards = await herald(["maintenance", "schedule", "Bad", "--start", "2030-01-01T10:00:00Z", "--end", "2030-01-01T09:00:00Z", "--body", "x"]);
    expect(backwards).toEqual({
      code: 1,
      stdout: "",
      stderr: "herald: The maintenance must end after it starts.\n  scheduled_until: Must be later than scheduled_for.\n",
    });
    await herald(["maintenance", "update", id!, "--status", "completed", "--body", "Done."]);
  });

  test("usage errors exit 2 with one line and send nothing", async () => {
    const before = (await api("/incidents")).body.length;
    const cases: Array<[string[], string]> = [
      [["incident", "create", "SEV9", "x", "--body", "y"], 'herald: severity must be SEV1, SEV2, SEV3, SEV4 (or sev1, 1, …); got "SEV9"\n'],
      [["incident", "create", "SEV1", "No body"], 'herald: missing --body "…" (the text customers will read)\n'],
      [["incident", "update", "abcdefabcdef", "--body", "y"], "herald: missing --status (investigating, identified, monitoring, resolved)\n"],
      [["incident", "update", "abcdefabcdef", "--status", "fixed", "--body", "y"], 'herald: status must be one of investigating, identified, monitoring, resolved; got "fixed"\n'],
      [["incident", "create", "SEV1", "x", "--body", "y", "--component", "major_outage"], 'herald: --component takes ID=STATUS, e.g. --component k2j4h5g6f7d8=major_outage; got "major_outage"\n'],
      [["incident", "create", "SEV1", "x", "--body", "y", "--group", "g"], 'herald: --group is not an option of "herald incident create" (see: herald help incident)\n'],
      [["incident", "list", "--open", "--resolved"], "herald: give --open or --resolved, not both\n"],
      [["incident", "frobnicate"], 'herald: unknown command "incident frobnicate"; try "incident create", "incident update", "incident resolve", "incident publish", "incident list", "incident show", "incident set"\n'],
      [["incident", "list", "--bogus"], "herald: Unknown option '--bogus' (see: herald help)\n"],
      [["keys", "list", "--url", "http://x"], 'herald: "herald keys list" works on the local database (DATABASE_URL), so --url does not apply\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await herald(args);
      expect({ args, ...result }).toEqual({ args, code: 2, stdout: "", stderr });
    }
    const noToken = await herald(["incident", "list"], { HERALD_TOKEN: undefined });
    expect(noToken).toEqual({
      code: 2,
      stdout: "",
      stderr: "herald: no API token; pass --token TOKEN or set HERALD_TOKEN (make one with: herald keys create --name NAME --role comms)\n",
    });
    expect((await api("/incidents")).body.length).toBe(before);
  });

  test("an unreachable Herald gets a clear message", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const result = await herald(["incident", "create", "SEV1", "x", "--body", "y"], { HERALD_URL: url });
    expect(result).toEqual({ code: 1, stdout: "", stderr: `herald: cannot reach Herald at ${url} — is it running? (npm start)\n` });
    // --url wins over HERALD_URL.
    const viaFlag = await herald(["incident", "list", "--url", `${url}/`]);
    expect(viaFlag.stderr).toBe(`herald: cannot reach Herald at ${url} — is it running? (npm start)\n`);
  });

  test("without HERALD_URL, the CLI finds a local Herald started with the same PORT", async () => {
    const port = new URL(server.url).port;
    const result = await herald(["component", "list"], { HERALD_URL: undefined, PORT: port });
    expect(result.code, result.stderr).toBe(0);
    // HERALD_URL still wins over PORT.
    const closed = await herald(["component", "list"], { HERALD_URL: "http://127.0.0.1:9", PORT: port });
    expect(closed.stderr).toContain("cannot reach Herald at http://127.0.0.1:9");
  });

  test("help lists every command with an example", async () => {
    const commands = [
      "incident create", "incident update", "incident resolve", "incident list", "incident show",
      "component add", "component set", "component list",
      "maintenance schedule", "maintenance update", "maintenance list",
      "postmortem init", "postmortem show", "postmortem edit", "postmortem publish",
      "keys create", "keys list", "keys revoke",
    ];
    for (const args of [[], ["help"], ["--help"]]) {
      const result = await herald(args);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe("");
      const out = lines(result.stdout);
      for (const command of commands) {
        const at = out.findIndex((l) => l.startsWith(`  herald ${command}`));
        expect(at, command).toBeGreaterThan(0);
        expect(out[at + 2], command).toMatch(new RegExp(`^      e\\.g\\. .*herald ${command}`));
      }
    }
    const topic = await herald(["help", "keys"]);
    expect(topic.stdout).toContain("herald keys create --name NAME --role admin|comms");
    expect(topic.stdout).not.toContain("herald incident create");
  });
});

describe("client retries", () => {
  interface Seen {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
  }
  let fake: Server;
  let fakeUrl: string;
  let seen: Seen[] = [];
  /** What the fake answers for the n-th request (0-based): a status and body, or "drop" to cut the connection. */
  let script: (n: number) => { status: number; body: unknown; type?: string } | "drop" = () => ({ status: 200, body: {} });

  beforeAll(async () => {
    fake = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const n = seen.length;
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        const answer = script(n);
        if (answer === "drop") {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { "Content-Type": answer.type ?? "application/json" });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  const client = () => createHeraldClient({ url: fakeUrl, token: "hk_test", backoffMs: 5 });
  const unavailable = { status: 503, type: "application/problem+json", body: { title: "Service Unavailable", status: 503, detail: "The database is unavailable; nothing was changed. Retry shortly." } };

  test("a 503 is retried with the same Idempotency-Key and body", async () => {
    seen = [];
    script = (n) => (n === 0 ? unavailable : { status: 201, body: { id: "abc123def456", name: "API Gateway Down" } });
    const result = await client().createIncident({ name: "API Gateway Down", severity: "SEV1", body: "Investigating" });
    expect(result).toEqual({ status: 201, data: { id: "abc123def456", name: "API Gateway Down" }, replayed: false, attempts: 2 });
    expect(seen).toHaveLength(2);
    const keys = seen.map((s) => s.headers["idempotency-key"]);
    expect(keys[0]).toMatch(UUID_PATTERN);
    expect(keys[1]).toBe(keys[0]);
    expect(seen.map((s) => [s.method, s.url, s.body, s.headers.authorization, s.headers["content-type"]])).toEqual([
      ["POST", "/api/v1/incidents", '{"name":"API Gateway Down","severity":"SEV1","body":"Investigating"}', "Bearer hk_test", "application/json"],
      ["POST", "/api/v1/incidents", '{"name":"API Gateway Down","severity":"SEV1","body":"Investigating"}', "Bearer hk_test", "application/json"],
    ]);
  });

  test("a dropped connection and a 429 are retried with the same key; each new request gets a new key", async () => {
    seen = [];
    script = (n) => (n === 0 ? "drop" : n === 1 ? { status: 429, body: { detail: "Slow down." } } : { status: 201, body: { ok: n } });
    const first = await client().postIncidentUpdate("abc123def456", { status: "identified", body: "Found it" });
    expect(first.attempts).toBe(3);
    expect(first.data).toEqual({ ok: 2 });
    const second = await client().postIncidentUpdate("abc123def456", { status: "monitoring", body: "Watching" });
    expect(second.attempts).toBe(1);
    const keys = seen.map((s) => s.headers["idempotency-key"]);
    expect(keys).toHaveLength(4);
    expect(new Set(keys.slice(0, 3)).size).toBe(1);
    expect(keys[3]).toMatch(UUID_PATTERN);
    expect(keys[3]).not.toBe(keys[0]);
    expect(seen.every((s) => s.url === "/api/v1/incidents/abc123def456/updates")).toBe(true);
  });

  test("a refusal (4xx) is not retried and carries the problem's detail and field errors", async () => {
    seen = [];
    script = () => ({
      status: 422,
      type: "application/problem+json",
      body: { title: "Unprocessable Content", status: 422, detail: "The request body is invalid.", errors: [{ field: "body", message: "body must not be empty." }] },
    });
    const error = await client().createIncident({ name: "x", severity: "SEV1", body: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, detail: "The request body is invalid.", errors: [{ field: "body", message: "body must not be empty." }] });
    expect(seen).toHaveLength(1);
  });

  test("gives up after three attempts; reads carry no Idempotency-Key", async () => {
    seen = [];
    script = () => unavailable;
    const error = await client().listIncidents("open").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, detail: "The database is unavailable; nothing was changed. Retry shortly." });
    expect(seen.map((s) => [s.method, s.url, s.headers["idempotency-key"]])).toEqual([
      ["GET", "/api/v1/incidents?status=open", undefined],
      ["GET", "/api/v1/incidents?status=open", undefined],
      ["GET", "/api/v1/incidents?status=open", undefined],
    ]);
  });

  test("nothing listening → UnreachableError after the retries", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await createHeraldClient({ url, token: "t", backoffMs: 1 }).listComponents().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).toMatchObject({ url, timedOut: false });
  });

  test("against the real Herald, a repeated key replays the first result instead of declaring twice", async () => {
    const key = crypto.randomUUID();
    const real = createHeraldClient({ url: server.url, token: adminToken, newIdempotencyKey: () => key });
    const before = (await api("/incidents")).body.length;
    const body = { name: "Checkout errors", severity: "SEV2", body: "Investigating." };
    const first = await real.createIncident(body);
    const retry = await real.createIncident(body);
    expect(first.replayed).toBe(false);
    expect(retry.replayed).toBe(true);
    expect(retry.data.id).toBe(first.data.id);
    expect((await api("/incidents")).body.length).toBe(before + 1);
  });
});

describe("herald postmortem", SLOW, () => {
  let incidentId: string;
  let openId: string;

  beforeAll(async () => {
    incidentId = (await apiWrite<{ id: string }>("POST", "/incidents", { name: "Queue backlog", severity: "SEV2", body: "Jobs are delayed." })).id;
    await apiWrite("POST", `/incidents/${incidentId}/updates`, { status: "identified", body: "A stuck consumer." });
    await apiWrite("POST", `/incidents/${incidentId}/updates`, { status: "resolved", body: "Jobs flow again." });
    openId = (await apiWrite<{ id: string }>("POST", "/incidents", { name: "Slow search", severity: "SEV3", body: "Looking." })).id;
  });

  test("init saves the pre-filled template as the draft, and refuses to overwrite it without --force", async () => {
    const init = await herald(["postmortem", "init", incidentId]);
    expect(init.code, init.stderr).toBe(0);
    expect(lines(init.stdout)[0]).toMatch(new RegExp(`^Saved a postmortem draft for incident ${incidentId} from the template \\(\\d+ lines\\)\\.$`));
    const { body: draft } = await api(`/incidents/${incidentId}/postmortem`);
    const { body: template } = await api(`/incidents/${incidentId}/postmortem/template`);
    expect(draft).toMatchObject({ status: "draft", body: template.body });
    expect(draft.body).toMatch(/^# Postmortem: INC-\d{4}-\d{3} Queue backlog - /);
    expect(draft.body).toContain("**Severity:** SEV2 (High)");
    expect(draft.body).toContain("## Timeline (UTC)");
    expect(draft.body).toMatch(/- \d\d:\d\d: Identified - A stuck consumer\.\n/);

    const again = await herald(["postmortem", "init", incidentId]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(/^herald: incident \w{12} already has a postmortem draft \(edited .*\); add --force to replace it with a fresh template\n$/);
    expect((await herald(["postmortem", "init", incidentId, "--force"])).code).toBe(0);
  });

  test("show prints the Markdown alone on stdout; edit takes a file or stdin, and action items as JSON", async () => {
    const shown = await herald(["postmortem", "show", incidentId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(`${(await api(`/incidents/${incidentId}/postmortem`)).body.body.replace(/\n$/, "")}\n`);
    expect(shown.stderr).toMatch(new RegExp(`^Postmortem of incident ${incidentId} — draft, edited .* by Ada Admin\\n$`));

    const file = join(dir, "pm.md");
    const items = join(dir, "actions.json");
    writeFileSync(file, "# Postmortem: Queue backlog\n\n## What Happened\nA consumer stopped acknowledging.\n");
    writeFileSync(items, JSON.stringify([{ description: "Alert on consumer lag", owner: "@bob", due_date: "2026-01-18" }, { description: "Runbook", done: true }]));
    const edited = await herald(["postmortem", "edit", incidentId, "--file", file, "--action-items", items]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(lines(edited.stdout)).toEqual([
      `Saved the postmortem draft of incident ${incidentId}. Publish it with: herald postmortem publish ${incidentId} [--notify]`,
      "Action items (1/2 done):",
      "  [ ] Alert on consumer lag (@bob, due 2026-01-18)",
      "  [x] Runbook",
    ]);

    const piped = await heraldWithStdin(["postmortem", "edit", incidentId], "From stdin.\n");
    expect(piped.code, piped.stderr).toBe(0);
    const stored = (await api(`/incidents/${incidentId}/postmortem`)).body;
    expect(stored.body).toBe("From stdin.");
    expect(stored.action_items).toHaveLength(2); // not given: unchanged

    const badItems = join(dir, "bad.json");
    writeFileSync(badItems, JSON.stringify([{ description: "x", due_date: "tomorrow" }]));
    const refused = await herald(["postmortem", "edit", incidentId, "--file", file, "--action-items", badItems]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("action_items.0.due_date: Must be a date, e.g. 2024-01-17.");
    expect((await api(`/incidents/${incidentId}/postmortem`)).body).toEqual(stored);
    expect((await herald(["postmortem", "edit", incidentId, "--file", join(dir, "missing.md")])).stderr).toMatch(/^herald: cannot read --file .*missing\.md: ENOENT\n$/);
  });

  test("publish: refused for an open incident, done for a resolved one; init then refuses to touch it", async () => {
    await apiWrite("PUT", `/incidents/${openId}/postmortem`, { body: "Too early." });
    const early = await herald(["postmortem", "publish", openId]);
    expect(early).toEqual({ code: 1, stdout: "", stderr: "herald: Only a resolved incident can have a published postmortem; this one is investigating. Resolve it first.\n" });
    expect((await api(`/incidents/${openId}/postmortem`)).body.status).toBe("draft");

    const done = await herald(["postmortem", "publish", incidentId, "--notify"]);
    expect(done.code, done.stderr).toBe(0);
    expect(lines(done.stdout)[0]).toMatch(new RegExp(`^Published the postmortem of incident ${incidentId} \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ\\)\\.$`));
    expect((await api(`/incidents/${incidentId}`)).body.status).toBe("postmortem");
    expect((await api(`/incidents/${incidentId}/postmortem`)).body.status).toBe("published");

    const init = await herald(["postmortem", "init", incidentId, "--force"]);
    expect(init.code).toBe(1);
    expect(init.stderr).toBe(`herald: incident ${incidentId} already has a published postmortem; change it with: herald postmortem edit ${incidentId} --file FILE\n`);
    const maintenance = await herald(["postmortem", "init", "abcdefghijkl"]);
    expect(maintenance).toMatchObject({ code: 1, stdout: "" });
  });

  test("publish: without a draft it points at init; with the template's prompts left it names them and asks for --force", async () => {
    const id = (await apiWrite<{ id: string }>("POST", "/incidents", { name: "Login errors", severity: "SEV2", body: "Looking." })).id;
    await apiWrite("POST", `/incidents/${id}/updates`, { status: "resolved", body: "Fixed." });
    const none = await herald(["postmortem", "publish", id]);
    expect(none).toEqual({ code: 1, stdout: "", stderr: `herald: incident ${id} has no postmortem yet; start one from the template with: herald postmortem init ${id}\n` });

    expect((await herald(["postmortem", "init", id])).code).toBe(0);
    const early = await herald(["postmortem", "publish", id]);
    expect(early.code).toBe(1);
    const said = early.stderr.split("\n");
    expect(said[0]).toMatch(new RegExp(`^herald: the postmortem of incident ${id} still holds \\d+ of the template's prompts, which customers would read:$`));
    expect(said).toContain("  _one sentence._");
    expect(early.stderr).toContain("or publish anyway with --force");
    expect((await api(`/incidents/${id}/postmortem`)).body.status).toBe("draft");

    const forced = await herald(["postmortem", "publish", id, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await api(`/incidents/${id}/postmortem`)).body.status).toBe("published");
  });
});
