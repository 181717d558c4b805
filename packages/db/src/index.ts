export { createDatabase, pgErrorCode, PG, type Database, type DbOptions } from './client.js';
export { runMigrations, migrationsDigest, type MigrationSet } from './migrate.js';
export { withDatabase } from './url.js';
