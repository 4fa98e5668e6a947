import type { Row } from "@libsql/client";
import type { Executor } from "../database.ts";
import { str, strOrNull } from "./rows.ts";

export type SubscriberState = "pending" | "active" | "unsubscribed" | "quarantined";

export interface SubscriberRecord {
  id: string;
  /** Normalized: trimmed, domain lowercased, local part as given. */
  email: string;
  state: SubscriberState;
  /** null = every component. */
  componentIds: string[] | null;
  createdAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
}

const COLUMNS = "id, email, state, component_ids, created_at, confirmed_at, unsubscribed_at";

function toSubscriber(row: Row): SubscriberRecord {
  const components = strOrNull(row, "component_ids");
  return {
    id: str(row, "id"),
    email: str(row, "email"),
    state: str(row, "state") as SubscriberState,
    componentIds: components === null ? null : (JSON.parse(components) as string[]),
    createdAt: str(row, "created_at"),
    confirmedAt: strOrNull(row, "confirmed_at"),
    unsubscribedAt: strOrNull(row, "unsubscribed_at"),
  };
}

export async function insertSubscriber(ex: Executor, s: SubscriberRecord): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO subscribers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [
      s.id, s.email, s.state, s.componentIds === null ? null : JSON.stringify(s.componentIds),
      s.createdAt, s.confirmedAt, s.unsubscribedAt,
    ],
  });
}

export async function getSubscriber(ex: Executor, id: string): Promise<SubscriberRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM subscribers WHERE id = ?`, args: [id] });
  return result.rows[0] ? toSubscriber(result.rows[0]) : null;
}

export async function getSubscriberByEmail(ex: Executor, email: string): Promise<SubscriberRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM subscribers WHERE email = ?`, args: [email] });
  return result.rows[0] ? toSubscriber(result.rows[0]) : null;
}

/** Confirms a pending subscriber (double opt-in). Returns false when there was nothing to confirm. */
export async function activateSubscriber(ex: Executor, id: string, now: string): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE subscribers SET state = 'active', confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ? AND state = 'pending'",
    args: [now, id],
  });
  return result.rowsAffected > 0;
}

/** Unsubscribes (idempotent). Returns false when the id is unknown. */
export async function unsubscribeSubscriber(ex: Executor, id: string, now: string): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE subscribers SET state = 'unsubscribed', unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE id = ?",
    args: [now, id],
  });
  return result.rowsAffected > 0;
}

export async function setSubscriberState(ex: Executor, id: string, state: SubscriberState): Promise<void> {
  await ex.execute({ sql: "UPDATE subscribers SET state = ? WHERE id = ?", args: [state, id] });
}

/**
 * Bulk-creates `count` subscribers `<prefix><n>@<domain>` (n = 1…count) in one statement, for
 * benchmarks and tests. Ids are `<idPrefix>` followed by n zero-padded to 12 characters.
 */
export async function insertSubscribersBulk(
  ex: Executor,
  o: { count: number; idPrefix: string; emailPrefix: string; domain: string; state: SubscriberState; componentIds: string[] | null; now: string },
): Promise<number> {
  const result = await ex.execute({
    sql: `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
          INSERT INTO subscribers (id, email, state, component_ids, created_at, confirmed_at, unsubscribed_at)
          SELECT ? || substr('000000000000' || n, -(12 - length(?))), ? || n || '@' || ?, ?, ?, ?, ?, NULL FROM seq`,
    args: [
      o.count, o.idPrefix, o.idPrefix, o.emailPrefix, o.domain, o.state,
      o.componentIds === null ? null : JSON.stringify(o.componentIds), o.now, o.state === "active" ? o.now : null,
    ],
  });
  return result.rowsAffected;
}
