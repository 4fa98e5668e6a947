import type { Executor } from "../database.ts";

export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  body: string;
}

export async function getStoredResponse(ex: Executor, apiKeyId: string, key: string): Promise<StoredResponse | null> {
  const result = await ex.execute({
    sql: "SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE api_key_id = ? AND key = ?",
    args: [apiKeyId, key],
  });
  const row = result.rows[0];
  if (!row) return null;
  return { requestHash: String(row.request_hash), statusCode: Number(row.status_code), body: String(row.response_body) };
}

export async function storeResponse(
  ex: Executor,
  entry: { apiKeyId: string; key: string; requestHash: string; statusCode: number; body: string; at: string },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO idempotency_keys (api_key_id, key, request_hash, status_code, response_body, created_at)
          VALUES (?, ?, ?, ?, ?, ?)`,
    args: [entry.apiKeyId, entry.key, entry.requestHash, entry.statusCode, entry.body, entry.at],
  });
}

/** Keys are kept a day: long enough for any client retry, short enough to keep the table small. */
export async function purgeStoredResponses(ex: Executor, before: string): Promise<void> {
  await ex.execute({ sql: "DELETE FROM idempotency_keys WHERE created_at < ?", args: [before] });
}
