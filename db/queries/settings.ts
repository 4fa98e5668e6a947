import type { Executor } from "../database.ts";

/** The stored value of a setting, storing `initial` first if there is none (first writer wins). */
export async function ensureSetting(ex: Executor, key: string, initial: string, at: string): Promise<string> {
  await ex.execute({ sql: "INSERT OR IGNORE INTO settings (key, value, created_at) VALUES (?, ?, ?)", args: [key, initial, at] });
  const result = await ex.execute({ sql: "SELECT value FROM settings WHERE key = ?", args: [key] });
  return String(result.rows[0]!.value);
}
