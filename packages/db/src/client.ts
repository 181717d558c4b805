import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { tracedClient, type PoolStats } from './traced.js';

export interface DbOptions<TSchema extends Record<string, unknown>> {
  url: string;
  schema: TSchema;
  /** Pool size per process. */
  max?: number;
  /** Called with every statement sent; tests count statements with it. */
  onQuery?: (query: string) => void;
  /** Shown in pg_stat_activity, handy when several services share one server. */
  applicationName?: string;
}

export interface Database<TSchema extends Record<string, unknown>> {
  sql: postgres.Sql;
  db: PostgresJsDatabase<TSchema>;
  ping(): Promise<boolean>;
  /** Connections in use, idle and requests waiting, estimated by the client (see pool metrics). */
  pool(): PoolUsage;
  close(): Promise<void>;
}

export interface PoolUsage {
  max: number;
  inUse: number;
  idle: number;
  waiting: number;
}

export function createDatabase<TSchema extends Record<string, unknown>>(
  options: DbOptions<TSchema>,
): Database<TSchema> {
  const sql = postgres(options.url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    // Reconnect attempts back off (seconds, by failed attempts in a row across the pool), but
    // never beyond 1 s: the default grows to 10-20 s during an outage, and every query sent
    // meanwhile waited that long after the database was back.
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 1),
    // Notices (e.g. "schema already exists") are noise in service logs.
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'marquee' },
    ...(options.onQuery ? { debug: (_conn: number, query: string) => options.onQuery?.(query) } : {}),
  });
  const stats: PoolStats = { max: options.max ?? 10, statements: 0, transactions: 0 };
  const url = new URL(options.url);
  const attributes = {
    'db.system': 'postgresql',
    'db.name': url.pathname.slice(1),
    'server.address': url.hostname,
    ...(url.port ? { 'server.port': Number(url.port) } : {}),
  };
  const traced = tracedClient(sql, attributes, stats);
  const db = drizzle({ client: traced, schema: options.schema });
  return {
    sql: traced,
    db,
    async ping() {
      try {
        await sql`select 1`;
        return true;
      } catch {
        return false;
      }
    },
    pool() {
      // A transaction holds a connection; statements outside one beyond the pool size wait
      // (postgres.js queues or pipelines them behind others).
      const demand = stats.transactions + stats.statements;
      const inUse = Math.min(stats.max, demand);
      return { max: stats.max, inUse, idle: stats.max - inUse, waiting: demand - inUse };
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/** Postgres error codes we translate into API errors. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  invalidTextRepresentation: '22P02',
} as const;

export function pgErrorCode(error: unknown): string | undefined {
  // drizzle wraps driver errors; the postgres.js error sits on `cause`.
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
