import { Inject, Injectable } from '@nestjs/common';
import { appendToOutbox, Topics, type EventViewed } from '@marquee/bus';
import { schema, type RecommendationsDatabase } from '../db/database.js';
import { DB } from '../tokens.js';

@Injectable()
export class ViewsRepository {
  constructor(@Inject(DB) private readonly database: RecommendationsDatabase) {}

  /** The view and its `recommendations.event-viewed` announcement commit together. */
  async recordView(view: { userId: string | null; eventId: string; at: Date }): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      await tx
        .insert(schema.interactions)
        .values({ userId: view.userId, eventId: view.eventId, kind: 'VIEW', occurredAt: view.at });
      const payload: EventViewed = {
        eventId: view.eventId,
        userId: view.userId,
        viewedAt: view.at.toISOString(),
      };
      await appendToOutbox(tx, schema.outbox, Topics.eventViewed, payload);
    });
  }
}
