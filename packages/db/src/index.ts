export { createDatabase, pgErrorCode, PG, type Database, type DbOptions, type PoolUsage } from './client.js';
export { runMigrations, migrationsDigest, type MigrationSet } from './migrate.js';
export { withDatabase } from './url.js';
export { anyUuid, prepared, uuidArray } from './prepared.js';
