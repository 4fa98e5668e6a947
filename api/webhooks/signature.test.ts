import { describe, expect, test } from "vitest";
import {
  isSigningSecret,
  signatureHeader,
  signingSecret,
  verifySignature,
  verifyWebhookUnsubscribeToken,
  webhookUnsubscribeToken,
} from "./signature.ts";

const HERALD = "herald-secret-for-tests";
const ID = "abcdefghij12";

describe("signatures", () => {
  test("the header is HMAC-SHA256 over `<t>.<body>`, as any HMAC library computes it", async () => {
    const secret = "whsec_test-vector-secret";
    const body = '{"meta":{},"incident":{"name":"Ünïcode ✓"}}';
    const header = await signatureHeader(secret, body, 1_700_000_000);
    // Computed once with an independent implementation (node:crypto createHmac, as a receiver might use).
    expect(header).toBe("t=1700000000,v1=7bcd2c458a926601be84971dc96b32b2e9b97ff790f31438b86390bd95daa93d");
    expect(await verifySignature(secret, body, header, 1_700_000_100)).toBe(true);
  });

  test("verification refuses a changed body, another secret, an old or malformed header", async () => {
    const secret = await signingSecret(HERALD, ID);
    const header = await signatureHeader(secret, "body", 1_700_000_000);
    expect(await verifySignature(secret, "body ", header, 1_700_000_000)).toBe(false);
    expect(await verifySignature(await signingSecret(HERALD, "zzzzzzzzzzzz"), "body", header, 1_700_000_000)).toBe(false);
    expect(await verifySignature(secret, "body", header, 1_700_000_301)).toBe(false);
    expect(await verifySignature(secret, "body", header, 1_699_999_699)).toBe(false);
    for (const bad of [null, "", "v1=abc", "t=abc,v1=00", `t=1700000000,v1=${"0".repeat(64)}`, header.replace("v1=", "v0=")]) {
      expect(await verifySignature(secret, "body", bad, 1_700_000_000)).toBe(false);
    }
    // Several v1 values (e.g. during a secret rotation): one match is enough.
    expect(await verifySignature(secret, "body", `${header.split(",")[0]},v1=${"f".repeat(64)},${header.split(",")[1]}`, 1_700_000_000)).toBe(true);
  });
});

describe("secrets and unsubscribe tokens", () => {
  test("the signing secret is stable per subscription, differs between them and needs HERALD_SECRET", async () => {
    const a = await signingSecret(HERALD, ID);
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(await signingSecret(HERALD, ID)).toBe(a);
    expect(await signingSecret(HERALD, "zzzzzzzzzzzz")).not.toBe(a);
    expect(await signingSecret("another", ID)).not.toBe(a);
    expect(await isSigningSecret(HERALD, ID, a)).toBe(true);
    expect(await isSigningSecret(HERALD, ID, a.slice(0, -1) + (a.endsWith("A") ? "B" : "A"))).toBe(false);
    expect(await isSigningSecret(HERALD, ID, undefined)).toBe(false);
    await expect(signingSecret("", ID)).rejects.toThrow(/HERALD_SECRET/);
  });

  test("unsubscribe tokens verify only with the secret that made them", async () => {
    const token = await webhookUnsubscribeToken(HERALD, ID);
    expect(await verifyWebhookUnsubscribeToken(HERALD, token)).toBe(ID);
    expect(await verifyWebhookUnsubscribeToken("another", token)).toBeNull();
    expect(await verifyWebhookUnsubscribeToken(HERALD, `zzzzzzzzzzzz${token.slice(12)}`)).toBeNull();
    expect(await verifyWebhookUnsubscribeToken(HERALD, 7)).toBeNull();
    // The signing secret is not an unsubscribe token, and the other way round.
    expect(token.slice(13)).not.toBe((await signingSecret(HERALD, ID)).slice(6));
  });
});
