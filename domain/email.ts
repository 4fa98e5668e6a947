/** Email addresses as Herald stores them. */

/**
 * Trims the address and lowercases its domain; the local part keeps its case (RFC 5321 lets a
 * server treat it case-sensitively). Returns null for anything that is not one plausible
 * address (exactly one @, no whitespace or control characters, a dotted domain).
 */
export function normalizeEmail(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed.length > 254 || /[\s\u0000-\u001f\u007f<>,;"]/.test(trimmed)) return null;
  const at = trimmed.lastIndexOf("@");
  if (at <= 0 || at !== trimmed.indexOf("@")) return null;
  const local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1).toLowerCase();
  if (local.length > 64 || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) return null;
  return `${local}@${domain}`;
}
