/**
 * Per-IP subscription limits count each client apart on every runtime: on Workers, where there is
 * no socket, the address comes from Cloudflare's CF-Connecting-IP (set by the edge).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cloudflareClientIp } from "../api/runtime/worker-host.ts";
import { subscriptionRoutes } from "../api/subscriptions/index.ts";
import { startTestHerald, type TestHerald } from "./harness.ts";
import { settings } from "./mail-helpers.ts";

let h: TestHerald;
beforeAll(async () => void (h = await startTestHerald()));
afterAll(() => h.close());

const subscribe = (app: ReturnType<typeof subscriptionRoutes>, ip: string | null, n: number) =>
  app.request("/", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(ip ? { "CF-Connecting-IP": ip } : {}) },
    body: JSON.stringify({ email: `reader${n}@example.com` }),
  });

describe("per-IP limits on Workers", () => {
  test("two clients behind the edge have a bucket each", async () => {
    const app = subscriptionRoutes({ db: h.db, clock: h.clock, settings, clientIp: cloudflareClientIp, limits: { perIp: { max: 2, windowMs: 60_000 } } });
    expect((await subscribe(app, "203.0.113.7", 1)).status).toBe(202);
    expect((await subscribe(app, "203.0.113.7", 2)).status).toBe(202);
    expect((await subscribe(app, "203.0.113.7", 3)).status).toBe(429);
    // Another client is not refused because the first one was busy.
    expect((await subscribe(app, "198.51.100.23", 4)).status).toBe(202);
  });

  test("without the runtime's answer every client would share one bucket (why the edge header is used)", async () => {
    const app = subscriptionRoutes({ db: h.db, clock: h.clock, settings, limits: { perIp: { max: 2, windowMs: 60_000 } } });
    expect((await subscribe(app, "203.0.113.8", 5)).status).toBe(202);
    expect((await subscribe(app, "198.51.100.24", 6)).status).toBe(202);
    expect((await subscribe(app, "192.0.2.1", 7)).status).toBe(429);
  });
});
