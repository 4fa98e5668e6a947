import type { Executor } from "../database.ts";

/** The stored value of a setting, storing `initial` first if there is none (first writer wins). */
export async function ensureSetting(ex: Executor, key: string, initial: string, at: string): Promise<string> {
  await ex.execute({ sql: "INSERT OR IGNORE INTO settings (key, value, created_at) VALUES (?, ?, ?)", args: [key, initial, at] });
  const result = await ex.execute({ sql: "SELECT value FROM settings WHERE key = ?", args: [key] });
  return String(result.rows[0]!.value);
}

/** Stores a setting if there is none; true when this call stored it (first writer wins). */
export async function claimSetting(ex: Executor, key: string, value: string, at: string): Promise<boolean> {
  const result = await ex.execute({ sql: "INSERT OR IGNORE INTO settings (key, value, created_at) VALUES (?, ?, ?)", args: [key, value, at] });
  return result.rowsAffected > 0;
}

/** Whether a setting is stored. */
export async function hasSetting(ex: Executor, key: string): Promise<boolean> {
  const result = await ex.execute({ sql: "SELECT 1 FROM settings WHERE key = ?", args: [key] });
  return result.rows.length > 0;
}
