import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, pgErrorCode, PG, runMigrations, type Database } from '../src/index.js';
import { freshDatabase } from '../src/test-database.js';
import type { TestDatabase } from '../src/testing.js';
import * as schema from './schema.js';

const folder = fileURLToPath(new URL('./drizzle', import.meta.url));
let testDb: TestDatabase;
let database: Database<typeof schema>;
const statements: string[] = [];

beforeAll(async () => {
  testDb = await freshDatabase();
  database = createDatabase({ url: testDb.url, schema, onQuery: (q) => statements.push(q) });
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

describe('database helpers', () => {
  it('hands each test file a migrated database of its own', async () => {
    await database.db.insert(schema.things).values({ name: 'a' });
    const other = await freshDatabase();
    const otherDb = createDatabase({ url: other.url, schema });
    try {
      expect(await otherDb.db.select().from(schema.things)).toEqual([]);
    } finally {
      await otherDb.close();
      await other.drop();
    }
  });

  it('applies migrations idempotently, also from several replicas at once', async () => {
    const set = { schema: 'dbtest', folder };
    await Promise.all([1, 2, 3].map(() => runMigrations(database.sql, database.db, set)));
    const rows = await database.sql`select count(*)::int as n from drizzle.__dbtest_migrations`;
    expect(rows[0]!.n).toBe(1);
  });

  it('reports statements to onQuery and exposes Postgres error codes', async () => {
    statements.length = 0;
    await database.db.select().from(schema.things);
    expect(statements.some((s) => s.includes('"dbtest"."things"'))).toBe(true);
    const duplicate = await database.db
      .insert(schema.things)
      .values({ name: 'dup' })
      .then(() =>
        database.db
          .insert(schema.things)
          .values({ name: 'dup' })
          .catch((e: unknown) => e),
      );
    expect(pgErrorCode(duplicate)).toBe(PG.uniqueViolation);
    expect(await database.ping()).toBe(true);
  });
});
