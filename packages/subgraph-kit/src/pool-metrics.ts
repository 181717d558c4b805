import { Gauge, type Registry } from 'prom-client';

/** What @marquee/db's Database reports about its pool. */
export interface PoolSource {
  pool(): { max: number; inUse: number; idle: number; waiting: number };
}

/**
 * The database pool on /metrics. postgres.js keeps its connection queues private, so these
 * come from the client wrapper: a transaction holds a connection, a statement outside one holds
 * one while it runs, and demand beyond the pool size waits.
 */
export function observePool(registry: Registry, database: PoolSource) {
  const gauge = (name: string, help: string, read: (pool: ReturnType<PoolSource['pool']>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(database.pool()));
      },
    });
  gauge('db_pool_max_connections', 'Configured size of the database pool (DB_POOL_MAX)', (p) => p.max);
  gauge(
    'db_pool_connections_in_use',
    'Pool connections running a statement or holding a transaction',
    (p) => p.inUse,
  );
  gauge('db_pool_connections_idle', 'Pool connections free for new work', (p) => p.idle);
  gauge(
    'db_pool_requests_waiting',
    'Statements and transactions waiting for a pool connection',
    (p) => p.waiting,
  );
}
