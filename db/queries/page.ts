import type { Executor } from "../database.ts";

/** The page's id (Statuspage `page.id`) is made once, by whichever process starts first. */
export async function ensurePage(ex: Executor, id: string, at: string): Promise<string> {
  await ex.execute({
    sql: "INSERT INTO page (id, created_at) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM page)",
    args: [id, at],
  });
  const result = await ex.execute("SELECT id FROM page LIMIT 1");
  return String(result.rows[0]!.id);
}
