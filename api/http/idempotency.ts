import type { Context } from "hono";
import { sha256HexSync } from "../encoding.ts";
import { Problem } from "../problem.ts";

/** Idempotency-Key: 1–255 visible ASCII characters (a UUID is typical). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

export function readIdempotencyKey(c: Context): string | null {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return null;
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new Problem(400, "Bad Request", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  }
  return key;
}

export function requestFingerprint(method: string, path: string, body: string): string {
  return sha256HexSync(`${method}\n${path}\n${body}`);
}

export const idempotencyConflict = () =>
  new Problem(409, "Idempotency Key Reused", "This Idempotency-Key was already used for a different request; use a new key for a new request.");
