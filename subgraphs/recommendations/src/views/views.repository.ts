import { Inject, Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import { appendToOutbox, Topics, type EventViewed } from '@marquee/bus';
import { addActivity } from '../db/activity.js';
import { schema, type RecommendationsDatabase } from '../db/database.js';
import { DB } from '../tokens.js';

export interface View {
  userId: string | null;
  /** Anonymous views only: who viewed, as views/view-client.ts keys them. */
  clientKey: string | null;
  eventId: string;
  at: Date;
  /** The UTC day of `at`. */
  day: string;
}

@Injectable()
export class ViewsRepository {
  constructor(@Inject(DB) private readonly database: RecommendationsDatabase) {}

  /** What the catalog knows of an event: enough to tell whether it can be viewed. */
  async catalogEvent(eventId: string) {
    const { eventCatalog } = schema;
    const [row] = await this.database.db
      .select({ status: eventCatalog.status, endsAt: eventCatalog.endsAt })
      .from(eventCatalog)
      .where(eq(eventCatalog.id, eventId));
    return row;
  }

  /**
   * The view, its event's counters and its `recommendations.event-viewed` announcement commit
   * together. A signed-in user's views of one event are one row per UTC day, keeping the
   * latest time (taste reads when they last looked), each announced. An anonymous client's
   * views are one row per day too, the first: a repeat changes nothing and announces nothing,
   * so a flood of them costs one statement each and grows no table. Concurrent duplicates
   * meet at the unique index; only the view that inserted the row moves the counters.
   * Returns whether anything was announced (the relay is worth waking).
   */
  async recordView(view: View): Promise<boolean> {
    const { interactions } = schema;
    return this.database.db.transaction(async (tx) => {
      const values = {
        userId: view.userId,
        clientKey: view.clientKey,
        eventId: view.eventId,
        kind: 'VIEW' as const,
        occurredAt: view.at,
        viewDay: view.day,
      };
      // xmax is 0 on a row this statement inserted, not on one it updated.
      const isNew = sql<boolean>`(xmax = 0)`;
      const [row] = view.userId
        ? await tx
            .insert(interactions)
            .values(values)
            .onConflictDoUpdate({
              target: [interactions.userId, interactions.eventId, interactions.viewDay],
              set: { occurredAt: sql`greatest(${interactions.occurredAt}, excluded.occurred_at)` },
            })
            .returning({ isNew })
        : await tx
            .insert(interactions)
            .values(values)
            .onConflictDoNothing({
              target: [interactions.clientKey, interactions.eventId, interactions.viewDay],
              where: sql`client_key is not null`,
            })
            .returning({ isNew });
      if (!row) return false;
      if (row.isNew) await addActivity(tx, { eventId: view.eventId, kind: 'VIEW', at: view.at });
      const payload: EventViewed = {
        eventId: view.eventId,
        userId: view.userId,
        viewedAt: view.at.toISOString(),
      };
      await appendToOutbox(tx, schema.outbox, Topics.eventViewed, payload);
      return true;
    });
  }
}
