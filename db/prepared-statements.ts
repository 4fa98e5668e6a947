import Database from "libsql";

/** Statements kept per connection; Herald's SQL is a few hundred fixed texts. */
const KEPT_PER_CONNECTION = 512;

let kept = false;

const SCHEMA_CHANGE = /^\s*(?:CREATE|ALTER|DROP)\b/i;
/** `SELECT *`, `SELECT t.*`, `, *`, `RETURNING *` — but not `COUNT(*)`. */
const SELECTS_STAR = /(?:\bSELECT|\bRETURNING|,)\s*(?:\w+\.)?\*/i;

/**
 * Keeps each embedded connection's prepared statements for reuse. `@libsql/client`'s file client
 * prepares every statement anew on every `execute` (SQLite parses and plans it again, and a new
 * native object is made and collected): about a tenth of the serving thread's time under
 * back-to-back writes, before this. Its connections are `libsql` `Database` objects it makes
 * itself, so the keeping is installed once on that class rather than passed in.
 *
 * Safe to share because the client runs each statement to completion synchronously (`all()` or
 * `run()`), so a kept statement is never in the middle of a run when it is handed out again.
 * SQLite re-prepares a kept statement itself when the schema changes under it, but libsql keeps
 * the column names it first saw: so a text that selects `*` is never kept (a new column would be
 * missing from its rows), and a connection forgets its statements when it changes the schema.
 */
export function keepPreparedStatements(): void {
  if (kept) return;
  kept = true;
  const proto = Database.prototype as unknown as { prepare(this: object, sql: string): Statement; exec(this: object, sql: string): unknown };
  const { prepare, exec } = proto;
  const byConnection = new WeakMap<object, Map<string, Statement>>();
  proto.exec = function (this: object, sql: string): unknown {
    byConnection.delete(this); // migrations run through exec
    return exec.call(this, sql);
  };
  proto.prepare = function (this: object, sql: string): Statement {
    let statements = byConnection.get(this);
    const statement = statements?.get(sql);
    if (statement !== undefined) return statement;
    if (SCHEMA_CHANGE.test(sql)) {
      byConnection.delete(this);
      return prepare.call(this, sql);
    }
    if (SELECTS_STAR.test(sql)) return prepare.call(this, sql);
    if (!statements) byConnection.set(this, (statements = new Map()));
    const prepared = remembering(prepare.call(this, sql));
    // Oldest first out: generated texts (lists of placeholders) must not grow the map forever.
    if (statements.size >= KEPT_PER_CONNECTION) statements.delete(statements.keys().next().value!);
    statements.set(sql, prepared);
    return prepared;
  };
}

interface Statement {
  readonly reader: boolean;
  columns(): unknown;
  raw(on?: boolean): Statement;
}

/**
 * A kept statement answers what cannot change while it is kept from memory: its columns (the
 * client asks twice per run), and that it returns no rows — the client learns that from `raw()`
 * throwing, and a new error on every run cost as much as the run itself.
 */
function remembering(statement: Statement): Statement {
  const { columns, raw } = statement;
  let knownColumns: unknown;
  let refusal: unknown;
  statement.columns = () => (knownColumns ??= columns.call(statement));
  statement.raw = (on?: boolean) => {
    if (refusal !== undefined) throw refusal;
    try {
      return raw.call(statement, on);
    } catch (error) {
      if (!statement.reader) refusal = error;
      throw error;
    }
  };
  return statement;
}
