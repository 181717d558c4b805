import { integer, pgSchema, text, uuid } from 'drizzle-orm/pg-core';

export const dbtest = pgSchema('dbtest');
export const things = dbtest.table('things', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  count: integer('count').notNull().default(0),
});
