import { pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { defineInbox, defineOutbox } from '../src/outbox.js';

// A throwaway schema for the bus's own tests, shaped like a subgraph's.
export const bustest = pgSchema('bustest');
export const outbox = defineOutbox(bustest);
export const inbox = defineInbox(bustest);
export const effects = bustest.table('effects', {
  id: uuid('id').defaultRandom().primaryKey(),
  note: text('note').notNull(),
});
