import { Problem } from "../problem.ts";
import { isWellFormedToken } from "../service/keys.ts";

export const UNKNOWN_KEY = "This API key is unknown, revoked or malformed.";

/**
 * The request's bearer token; throws the 401 when there is none or it cannot be a key, which is
 * decided without the database (the Worker answers those before it opens Turso).
 */
export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) throw new Problem(401, "Unauthorized", "Send an API key as `Authorization: Bearer <token>`.");
  if (!isWellFormedToken(match[1]!)) throw new Problem(401, "Unauthorized", UNKNOWN_KEY);
  return match[1]!;
}

