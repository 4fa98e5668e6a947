import type { Context } from "hono";
import { Problem } from "../problem.ts";

/** Idempotency-Key: 1–255 visible ASCII characters (a UUID is typical). */
const KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

export function readIdempotencyKey(c: Context): string | null {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return null;
  if (!KEY_PATTERN.test(key)) {
    throw new Problem(400, "Bad Request", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  }
  return key;
}

export async function requestFingerprint(method: string, path: string, body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${method}\n${path}\n${body}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const idempotencyConflict = () =>
  new Problem(409, "Idempotency Key Reused", "This Idempotency-Key was already used for a different request; use a new key for a new request.");
