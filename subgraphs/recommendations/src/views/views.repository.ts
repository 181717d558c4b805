import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { appendToOutbox, Topics, type EventViewed } from '@marquee/bus';
import { addActivity } from '../db/activity.js';
import { schema, type RecommendationsDatabase } from '../db/database.js';
import { DB } from '../tokens.js';

@Injectable()
export class ViewsRepository {
  constructor(@Inject(DB) private readonly database: RecommendationsDatabase) {}

  /**
   * The view and its `recommendations.event-viewed` announcement commit together. A signed-in
   * user's views of one event are one row per UTC day, keeping the latest time: popularity
   * and trending count them once a day, taste reads when they last looked. Every view is
   * announced; anonymous views cannot be told apart and each one counts.
   */
  async recordView(view: { userId: string | null; eventId: string; at: Date }): Promise<void> {
    const { interactions } = schema;
    await this.database.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(interactions)
        .values({
          userId: view.userId,
          eventId: view.eventId,
          kind: 'VIEW',
          occurredAt: view.at,
          viewDay: view.at.toISOString().slice(0, 10),
        })
        .onConflictDoUpdate({
          target: [interactions.userId, interactions.eventId, interactions.viewDay],
          set: { occurredAt: sql`greatest(${interactions.occurredAt}, excluded.occurred_at)` },
        })
        // xmax is 0 on a row this statement inserted, not on one it updated.
        .returning({ isNew: sql<boolean>`(xmax = 0)` });
      if (row?.isNew) await addActivity(tx, { eventId: view.eventId, kind: 'VIEW', at: view.at });
      const payload: EventViewed = {
        eventId: view.eventId,
        userId: view.userId,
        viewedAt: view.at.toISOString(),
      };
      await appendToOutbox(tx, schema.outbox, Topics.eventViewed, payload);
    });
  }
}
