import { Inject, Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import type { EventChanged } from '@marquee/bus';
import { schema, type Executor, type TicketsDatabase, type TicketsTx } from '../db/database.js';
import { anyUuid, prepared } from '@marquee/db';
import { DB } from '../tokens.js';

export type DirectoryEntry = typeof schema.eventDirectory.$inferSelect;
export type EventFacts = Pick<
  DirectoryEntry,
  'eventId' | 'organizerId' | 'status' | 'title' | 'startsAt' | 'endsAt'
>;

const d = schema.eventDirectory;
/** Cancellation is final: no snapshot, however new, and no fetch brings an event back. */
const keepCancelled = sql`case when ${d.status} = 'CANCELLED' then ${d.status} else excluded.status end`;

@Injectable()
export class EventDirectoryRepository {
  /** The loaders' read, built once: one statement whatever the number of events. */
  private readonly byIds;

  constructor(@Inject(DB) private readonly database: TicketsDatabase) {
    this.byIds = database.db
      .select()
      .from(d)
      .where(anyUuid(d.eventId, sql.placeholder('ids')))
      .prepare('directory.find-many');
  }

  async find(eventId: string): Promise<DirectoryEntry | undefined> {
    const [row] = await prepared(
      'directory.find',
      this.database.db.select().from(d).where(eq(d.eventId, eventId)),
    );
    return row;
  }

  findMany(eventIds: readonly string[]): Promise<DirectoryEntry[]> {
    return this.byIds.execute({ ids: [...eventIds] });
  }

  /**
   * Reads the entry under a share lock: an inventory change that checked "not cancelled" this
   * way commits before a cancellation can, so the cancellation job sees it.
   */
  async lockShared(tx: TicketsTx, eventId: string): Promise<DirectoryEntry | undefined> {
    const [row] = await prepared(
      'directory.lock-shared',
      tx.select().from(d).where(eq(d.eventId, eventId)).for('share'),
    );
    return row;
  }

  /**
   * Applies a snapshot from the bus unless the entry already has this version or a newer one;
   * true when it did.
   */
  async applySnapshot(tx: TicketsTx, snapshot: EventChanged): Promise<boolean> {
    const applied = await tx
      .insert(d)
      .values({
        eventId: snapshot.eventId,
        organizerId: snapshot.organizerId,
        status: snapshot.status,
        title: snapshot.title,
        startsAt: new Date(snapshot.startsAt),
        endsAt: new Date(snapshot.endsAt),
        version: snapshot.version,
      })
      .onConflictDoUpdate({
        target: d.eventId,
        set: {
          organizerId: sql`excluded.organizer_id`,
          status: keepCancelled,
          title: sql`excluded.title`,
          startsAt: sql`excluded.starts_at`,
          endsAt: sql`excluded.ends_at`,
          version: sql`excluded.version`,
          updatedAt: sql`now()`,
        },
        setWhere: sql`${d.version} < excluded.version`,
      })
      .returning({ eventId: d.eventId });
    return applied.length > 0;
  }

  /** Stores what the events subgraph just told us; the version stays what the bus last said. */
  async upsertFetched(facts: EventFacts): Promise<DirectoryEntry> {
    const [row] = await this.database.db
      .insert(d)
      .values({ ...facts, version: 0 })
      .onConflictDoUpdate({
        target: d.eventId,
        set: {
          organizerId: sql`excluded.organizer_id`,
          status: keepCancelled,
          title: sql`excluded.title`,
          startsAt: sql`excluded.starts_at`,
          endsAt: sql`excluded.ends_at`,
          updatedAt: sql`now()`,
        },
      })
      .returning();
    return row!;
  }

  async markCancelled(executor: Executor, eventId: string): Promise<void> {
    await executor
      .update(d)
      .set({ status: 'CANCELLED', updatedAt: sql`now()` })
      .where(eq(d.eventId, eventId));
  }
}
