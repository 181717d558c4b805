import { Inject, Injectable } from '@nestjs/common';
import { eq, getTableColumns, sql } from 'drizzle-orm';
import { anyUuid } from '@marquee/db';
import { appendToOutbox } from '@marquee/bus';
import { schema, type EventsDatabase, type EventsDb } from '../db/database.js';
import { DB } from '../tokens.js';
import type { VenueRow } from '../venues/venues.repository.js';
import type { EventFields } from './event-input.js';

const { search: _search, ...columns } = getTableColumns(schema.eventsTable);
/** Every column but the search vector, which only the database reads. */
export const eventColumns = columns;
export type EventRow = Omit<typeof schema.eventsTable.$inferSelect, 'search'>;
export type EventStatus = EventRow['status'];
export type Tx = Parameters<Parameters<EventsDb['transaction']>[0]>[0];

export type EventChange = Partial<EventFields> & {
  status?: EventStatus;
  cancellationReason?: string;
};

const events = schema.eventsTable;

/** Reads by id and the writes of the event lifecycle; each write bumps `version`. */
@Injectable()
export class EventsRepository {
  /** Built once: the loaders' hottest read skips query building too. */
  private readonly byIds;

  constructor(@Inject(DB) private readonly database: EventsDatabase) {
    this.byIds = database.db
      .select(eventColumns)
      .from(events)
      .where(anyUuid(events.id, sql.placeholder('ids')))
      .prepare('events.by-ids');
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.db.transaction(work);
  }

  findByIds(ids: readonly string[]): Promise<EventRow[]> {
    return this.byIds.execute({ ids: [...ids] });
  }

  /** The event, locked until the transaction ends: changes to one event are serialised. */
  async lock(tx: Tx, id: string): Promise<EventRow | undefined> {
    const [row] = await tx.select(eventColumns).from(events).where(eq(events.id, id)).for('update');
    return row;
  }

  async venue(tx: Tx, id: string): Promise<VenueRow | undefined> {
    const [row] = await tx.select().from(schema.venues).where(eq(schema.venues.id, id));
    return row;
  }

  async insert(tx: Tx, values: EventFields & { venueId: string; organizerId: string }): Promise<EventRow> {
    const [row] = await tx.insert(events).values(values).returning(eventColumns);
    return row!;
  }

  async update(tx: Tx, id: string, change: EventChange): Promise<EventRow> {
    const [row] = await tx
      .update(events)
      .set({ ...change, version: sql`${events.version} + 1`, updatedAt: sql`now()` })
      .where(eq(events.id, id))
      .returning(eventColumns);
    return row!;
  }

  /** Call inside the transaction of the change it announces. */
  announce(tx: Tx, topic: string, payload: unknown): Promise<void> {
    return appendToOutbox(tx, schema.outbox, topic, payload);
  }
}
