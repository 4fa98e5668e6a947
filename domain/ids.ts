/**
 * Identifiers for pages, components, incidents, updates and the rest.
 *
 * Statuspage ids in the wild are 12 characters of lowercase base36 (`kctbh9vrtdwd`). That is not documented,
 * but some consumers match it with a regex, so we mint ids of exactly that shape.
 */

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
const ID_LENGTH = 12;

/**
 * 252 = 7 × 36, so the bytes 0–251 map onto the 36 characters exactly 7 times each.
 * Bytes 252–255 would favour the first four characters, so they are thrown away (rejection sampling).
 */
const ACCEPT_BELOW = 252;

const ID_PATTERN = /^[0-9a-z]{12}$/;

/** A new random id: 12 characters of `[0-9a-z]`, each uniformly distributed (Web Crypto, no modulo bias). */
export function newId(): string {
  let id = "";
  // Twice the length needed: with 4/256 bytes rejected, one fill almost always suffices.
  const bytes = new Uint8Array(ID_LENGTH * 2);
  while (id.length < ID_LENGTH) {
    globalThis.crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (byte >= ACCEPT_BELOW) continue;
      id += ALPHABET.charAt(byte % ALPHABET.length);
      if (id.length === ID_LENGTH) break;
    }
  }
  return id;
}

/** True when `value` is a string of exactly 12 characters of `[0-9a-z]`. */
export function isId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

const TOKEN_PATTERN = /^[0-9a-f]{32}$/;

/** An unguessable token (128 random bits as 32 hex digits), e.g. for a drill's unlisted preview page. */
export function newToken(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** True for a token made by newToken. */
export function isToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN_PATTERN.test(value);
}
