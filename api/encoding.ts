/**
 * Byte helpers that run the same on Node and on Workers (no node:* imports, no Buffer).
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** `n` random bytes from the platform's CSPRNG, base64url. */
export function randomBase64url(n: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

/**
 * HMAC-SHA256, synchronously: link tokens are made while a message is built, which is synchronous
 * (Web Crypto is async only). @noble/hashes is an audited pure-JS implementation.
 */
export function hmacSha256(key: string, message: string): Uint8Array {
  return hmac(sha256, encoder.encode(key), encoder.encode(message));
}

export function sha256HexSync(text: string): string {
  return hex(sha256(encoder.encode(text)));
}

/** Compares two strings in time that depends only on their length. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
