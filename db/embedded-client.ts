import { LibsqlBatchError, LibsqlError, type Client, type InArgs, type InStatement, type InValue, type ResultSet, type Row, type Transaction, type TransactionMode } from "@libsql/client";
import Database from "libsql";
import { markEmbeddedFile } from "./database.ts";

/**
 * The `@libsql/client` interface over an embedded database file, with rows that are cheap to make.
 * `@libsql/client`'s own file client builds every row with `Object.defineProperty` for each column
 * name and index (objects V8 keeps as slow dictionaries): under back-to-back writes that was a
 * tenth of both the serving and the publishing thread, and the garbage it left another share. Here
 * a row is a plain object with its columns as ordinary properties — the same shape for every row
 * of a statement — and a prototype answers `row[i]` and `length`; so rows look the same to every
 * reader (named columns enumerable, indexes and length not) at a fraction of the cost.
 *
 * It keeps the client's behaviour otherwise: a pool of connections (a transaction holds one until
 * it ends; every other call borrows one for its synchronous run), `LibsqlError`s with the SQLite
 * code, integers as numbers (refusing those a number cannot hold), blobs as `ArrayBuffer`s.
 * Only plain files: `connectNode` leaves in-memory and query-string URLs to `@libsql/client`.
 */
export function createEmbeddedClient(path: string, options: { timeout?: number } = {}): Client {
  const pool = new ConnectionPool(path, options.timeout);
  // Fail now, as createClient does, when the file cannot be opened at all.
  pool.use(() => {});
  return markEmbeddedFile(new EmbeddedClient(pool), path);
}

type Connection = InstanceType<typeof Database>;

interface NativeStatement {
  raw(on?: boolean): NativeStatement;
  safeIntegers(on?: boolean): NativeStatement;
  columns(): { name: string; type: string | null }[];
  all(args: unknown): unknown[][];
  run(args: unknown): { changes: number; lastInsertRowid: number | bigint };
}

class ConnectionPool {
  private idle: Connection[] = [];
  private borrowed = new Set<Connection>();
  closed = false;
  readonly path: string;
  readonly timeout: number | undefined;

  constructor(path: string, timeout: number | undefined) {
    this.path = path;
    this.timeout = timeout;
  }

  acquire(): Connection {
    if (this.closed) throw new LibsqlError("The client is closed", "CLIENT_CLOSED");
    const db = this.idle.pop() ?? new Database(this.path, this.timeout === undefined ? {} : { timeout: this.timeout });
    this.borrowed.add(db);
    return db;
  }

  /** Runs `work` on a borrowed connection and gives it back (rolled back if left in a transaction). */
  use<T>(work: (db: Connection) => T): T {
    const db = this.acquire();
    try {
      return work(db);
    } finally {
      this.release(db);
    }
  }

  release(db: Connection): void {
    this.borrowed.delete(db);
    if (db.open && db.inTransaction) {
      // Never hand a connection on in the middle of a transaction.
      try {
        db.prepare("ROLLBACK").run();
      } catch {
        closeQuietly(db);
        return;
      }
    }
    if (this.closed || !db.open) closeQuietly(db);
    else this.idle.push(db);
  }

  close(): void {
    this.closed = true;
    for (const db of [...this.idle, ...this.borrowed]) closeQuietly(db);
    this.idle = [];
    this.borrowed.clear();
  }
}

function closeQuietly(db: Connection): void {
  try {
    if (db.open) db.close();
  } catch {
    // nothing to do while tearing down
  }
}

class EmbeddedClient implements Client {
  closed = false;
  readonly protocol = "file";
  private pool: ConnectionPool;

  constructor(pool: ConnectionPool) {
    this.pool = pool;
  }

  async execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return this.pool.use((db) => executeOn(db, statementOf(stmtOrSql, args)));
  }

  async batch(stmts: (InStatement | [string, InArgs?])[], mode: TransactionMode = "deferred"): Promise<ResultSet[]> {
    // A batch that fails is rolled back when its connection is given back.
    return this.pool.use((db) => {
      executeOn(db, beginFor(mode));
      const results = runBatch(db, stmts);
      executeOn(db, "COMMIT");
      return results;
    });
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.pool.use((db) => {
      try {
        executeOn(db, "PRAGMA foreign_keys=off");
        executeOn(db, "BEGIN DEFERRED");
        const results = runBatch(db, stmts);
        executeOn(db, "COMMIT");
        return results;
      } finally {
        if (db.open && db.inTransaction) executeOn(db, "ROLLBACK");
        if (db.open) executeOn(db, "PRAGMA foreign_keys=on");
      }
    });
  }

  async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    const db = this.pool.acquire();
    try {
      executeOn(db, beginFor(mode));
    } catch (error) {
      this.pool.release(db);
      throw error;
    }
    return markEmbeddedFile(new EmbeddedTransaction(db, (used) => this.pool.release(used)), this.pool.path);
  }

  async executeMultiple(sql: string): Promise<void> {
    this.pool.use((db) => execOn(db, sql));
  }

  async sync(): Promise<never> {
    throw new LibsqlError("An embedded database file has no replica to sync", "SYNC_NOT_SUPPORTED");
  }

  async reconnect(): Promise<void> {
    const { path, timeout } = this.pool;
    this.pool.close();
    this.pool = new ConnectionPool(path, timeout);
    this.closed = false;
  }

  close(): void {
    this.closed = true;
    this.pool.close();
  }
}

class EmbeddedTransaction implements Transaction {
  private db: Connection | null;
  private readonly settle: (db: Connection) => void;

  constructor(db: Connection, settle: (db: Connection) => void) {
    this.db = db;
    this.settle = settle;
  }

  get closed(): boolean {
    return this.db === null || !this.db.open || !this.db.inTransaction;
  }

  private connection(): Connection {
    if (this.closed) throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
    return this.db!;
  }

  private end(): void {
    const db = this.db;
    this.db = null;
    if (db) this.settle(db);
  }

  async execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return executeOn(this.connection(), statementOf(stmtOrSql, args));
  }

  async batch(stmts: (InStatement | [string, InArgs?])[]): Promise<ResultSet[]> {
    return runBatch(this.connection(), stmts);
  }

  async executeMultiple(sql: string): Promise<void> {
    execOn(this.connection(), sql);
  }

  async commit(): Promise<void> {
    try {
      executeOn(this.connection(), "COMMIT");
    } finally {
      this.end();
    }
  }

  async rollback(): Promise<void> {
    this.close();
  }

  close(): void {
    try {
      // Reading inTransaction on a closed connection aborts the process: check open first.
      if (this.db?.open && this.db.inTransaction) executeOn(this.db, "ROLLBACK");
    } finally {
      this.end();
    }
  }
}

function statementOf(stmtOrSql: InStatement | string, args: InArgs | undefined): InStatement {
  return typeof stmtOrSql === "string" ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql;
}

function beginFor(mode: TransactionMode): string {
  if (mode === "write") return "BEGIN IMMEDIATE";
  if (mode === "read") return "BEGIN TRANSACTION READONLY";
  if (mode === "deferred") return "BEGIN DEFERRED";
  throw new RangeError('Unknown transaction mode, supported values are "write", "read" and "deferred"');
}

function runBatch(db: Connection, stmts: (InStatement | [string, InArgs?])[]): ResultSet[] {
  const results: ResultSet[] = [];
  for (let i = 0; i < stmts.length; i++) {
    try {
      if (!db.inTransaction) throw new LibsqlBatchError("The transaction has been rolled back", i, "TRANSACTION_CLOSED");
      const stmt = stmts[i]!;
      results.push(executeOn(db, Array.isArray(stmt) ? { sql: stmt[0], args: stmt[1] ?? [] } : stmt));
    } catch (error) {
      if (error instanceof LibsqlBatchError) throw error;
      if (error instanceof LibsqlError) throw new LibsqlBatchError(error.message, i, error.code, error.extendedCode, error.rawCode, error.cause instanceof Error ? error.cause : undefined);
      throw error;
    }
  }
  return results;
}

function execOn(db: Connection, sql: string): void {
  try {
    db.exec(sql);
  } catch (error) {
    throw asLibsqlError(error);
  }
}

/** Runs one statement to completion on a connection: its rows, or what it changed. */
function executeOn(db: Connection, stmt: InStatement): ResultSet {
  const sql = typeof stmt === "string" ? stmt : stmt.sql;
  const args = typeof stmt === "string" ? [] : argsToSql(stmt.args);
  try {
    const statement = db.prepare(sql) as unknown as NativeStatement;
    statement.safeIntegers(true);
    let returnsRows = true;
    try {
      statement.raw(true);
    } catch {
      returnsRows = false; // raw() refuses a statement that returns no rows
    }
    if (!returnsRows) {
      const info = statement.run(args);
      return new EmbeddedResultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
    }
    const shape = rowShapeOf(statement);
    const values = statement.all(args);
    const rows = new Array<Row>(values.length);
    for (let r = 0; r < values.length; r++) rows[r] = shape.row(values[r]!);
    return new EmbeddedResultSet(shape.names, shape.types, rows, 0, undefined);
  } catch (error) {
    throw asLibsqlError(error);
  }
}

interface RowShape {
  names: string[];
  types: string[];
  row(values: unknown[]): Row;
}

/** A kept statement's rows always have the same columns: their shape is worked out once per statement. */
const shapes = new WeakMap<NativeStatement, RowShape>();

function rowShapeOf(statement: NativeStatement): RowShape {
  const known = shapes.get(statement);
  if (known) return known;
  const columns = statement.columns();
  const names = columns.map((c) => c.name);
  const types = columns.map((c) => c.type ?? "");
  // Plain assignment of a column named __proto__ would set the row's prototype instead.
  const plain = new Set(names).size === names.length && !names.includes("__proto__");
  const shape = plain ? fastShape(names, types) : exactShape(names, types);
  shapes.set(statement, shape);
  return shape;
}

/** Distinct column names: values as own properties, indexes and length from a shared prototype. */
function fastShape(names: string[], types: string[]): RowShape {
  const prototype: object = Object.create(Object.prototype, { length: { value: names.length } });
  names.forEach((name, i) => Object.defineProperty(prototype, i, { get(this: Record<string, unknown>) { return this[name]; } }));
  return {
    names,
    types,
    row(values) {
      const row = Object.create(prototype) as Record<string, unknown>;
      for (let i = 0; i < names.length; i++) row[names[i]!] = valueFromSql(values[i]);
      return row as Row;
    },
  };
}

/** Repeated column names (`SELECT a.id, b.id`), or one named `__proto__`: built as `@libsql/client` builds rows (the name gives the first). */
function exactShape(names: string[], types: string[]): RowShape {
  return {
    names,
    types,
    row(values) {
      const row = {};
      Object.defineProperty(row, "length", { value: values.length });
      for (let i = 0; i < values.length; i++) {
        const value = valueFromSql(values[i]);
        Object.defineProperty(row, i, { value });
        if (!Object.hasOwn(row, names[i]!)) Object.defineProperty(row, names[i]!, { value, enumerable: true, configurable: true, writable: true });
      }
      return row as Row;
    },
  };
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function valueFromSql(value: unknown): unknown {
  if (typeof value === "bigint") {
    if (value < MIN_SAFE || value > MAX_SAFE) throw new RangeError("Received integer which cannot be safely represented as a JavaScript number");
    return Number(value);
  }
  if (value instanceof Buffer) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value;
}

const MIN_INTEGER = -9223372036854775808n;
const MAX_INTEGER = 9223372036854775807n;

function argsToSql(args: InArgs | undefined): unknown {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(valueToSql);
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) named[/^[@$:]/.test(name) ? name.slice(1) : name] = valueToSql(value);
  return named;
}

function valueToSql(value: InValue): unknown {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
    return value;
  }
  if (typeof value === "bigint") {
    if (value < MIN_INTEGER || value > MAX_INTEGER) throw new RangeError("bigint is too large to be represented as a 64-bit integer and passed as argument");
    return value;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  return value;
}

/** SQLite's errors as `@libsql/client` reports them: the primary code, the extended one, the number. */
function asLibsqlError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const { code: extendedCode, rawCode } = error as unknown as { code: string; rawCode?: number };
  const code = /^SQLITE_[A-Z]+/.exec(extendedCode ?? "")?.[0] ?? "SQLITE_UNKNOWN";
  return new LibsqlError(error.message, code, extendedCode, rawCode, error);
}

class EmbeddedResultSet implements ResultSet {
  readonly columns: string[];
  readonly columnTypes: string[];
  readonly rows: Row[];
  readonly rowsAffected: number;
  readonly lastInsertRowid: bigint | undefined;

  constructor(columns: string[], columnTypes: string[], rows: Row[], rowsAffected: number, lastInsertRowid: bigint | undefined) {
    this.columns = columns;
    this.columnTypes = columnTypes;
    this.rows = rows;
    this.rowsAffected = rowsAffected;
    this.lastInsertRowid = lastInsertRowid;
  }

  toJSON(): unknown {
    return {
      columns: this.columns,
      columnTypes: this.columnTypes,
      rows: this.rows.map((row) => Array.prototype.map.call(row, (v: unknown) => (typeof v === "bigint" ? String(v) : v instanceof ArrayBuffer ? Buffer.from(v).toString("base64") : v))),
      rowsAffected: this.rowsAffected,
      lastInsertRowid: this.lastInsertRowid !== undefined ? String(this.lastInsertRowid) : null,
    };
  }
}
