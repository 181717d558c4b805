import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';

export interface MigrationSet {
  /** The subgraph's Postgres schema, e.g. `events`. */
  schema: string;
  /** Folder written by drizzle-kit generate. */
  folder: string;
}

/**
 * Applies one subgraph's committed migrations. Its bookkeeping table lives in the shared
 * `drizzle` schema (not in the subgraph's own schema: drizzle would create that schema before
 * the first migration does). An advisory lock lets several replicas start at once.
 */
export async function runMigrations(
  sql: postgres.Sql,
  db: PostgresJsDatabase<Record<string, unknown>>,
  set: MigrationSet,
): Promise<void> {
  const reserved = await sql.reserve();
  const lockKey = lockKeyFor(set.schema).toString();
  try {
    await reserved`select pg_advisory_lock(${lockKey}::bigint)`;
    await migrate(db, {
      migrationsFolder: set.folder,
      migrationsSchema: 'drizzle',
      migrationsTable: `__${set.schema}_migrations`,
    });
  } finally {
    await reserved`select pg_advisory_unlock(${lockKey}::bigint)`.catch(() => undefined);
    reserved.release();
  }
}

function lockKeyFor(name: string): bigint {
  return createHash('sha256').update(`marquee:migrate:${name}`).digest().readBigInt64BE(0);
}

/** A digest of the migration files, used to name cached template databases in tests. */
export function migrationsDigest(sets: MigrationSet[]): string {
  const hash = createHash('sha256');
  for (const set of sets) {
    hash.update(set.schema);
    for (const file of readdirSync(set.folder).sort()) {
      if (file.endsWith('.sql')) hash.update(file).update(readFileSync(join(set.folder, file)));
    }
    hash.update(readFileSync(join(set.folder, 'meta', '_journal.json')));
  }
  return hash.digest('hex').slice(0, 12);
}
