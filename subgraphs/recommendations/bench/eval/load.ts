import { sql } from 'drizzle-orm';
import { rebuildActivity } from '#src/db/activity.js';
import { schema, type RecommendationsDatabase } from '#src/db/database.js';
import type { World } from './synthetic.js';

const CHUNK = 4_000;

async function inChunks<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/**
 * Writes a synthetic world straight into the projections (the bus path is tested on its own):
 * the catalog, every interaction, and a ticket holding per purchase. Then ANALYZE, so the
 * planner knows the sizes as it would in production.
 */
export async function loadWorld(database: RecommendationsDatabase, world: World): Promise<void> {
  const { db } = database;
  await inChunks(world.events, (chunk) =>
    db.insert(schema.eventCatalog).values(
      chunk.map((e) => ({
        id: e.id,
        status: e.status,
        title: e.title,
        categories: e.categories,
        organizerId: e.organizerId,
        venueId: e.venueId,
        venueName: e.venueName,
        city: e.city,
        country: e.country,
        latitude: e.latitude,
        longitude: e.longitude,
        startsAt: e.startsAt,
        endsAt: e.endsAt,
        version: 1,
      })),
    ),
  );
  await inChunks(world.interactions, (chunk) =>
    db.insert(schema.interactions).values(
      chunk.map((i) => ({
        userId: i.userId,
        eventId: i.eventId,
        kind: i.kind,
        occurredAt: i.occurredAt,
        orderId: i.orderId,
        viewDay: i.kind === 'VIEW' ? i.occurredAt.toISOString().slice(0, 10) : null,
      })),
    ),
  );
  const purchases = world.interactions.filter((i) => i.kind === 'PURCHASE' && i.userId && i.orderId);
  await inChunks(purchases, (chunk) =>
    db.insert(schema.ticketHoldings).values(
      chunk.map((p) => ({
        orderId: p.orderId!,
        userId: p.userId!,
        eventId: p.eventId,
        confirmedAt: p.occurredAt,
      })),
    ),
  );
  await rebuildActivity(db);
  await db.execute(
    sql`analyze ${schema.eventCatalog}, ${schema.interactions}, ${schema.ticketHoldings}, ${schema.eventActivity}`,
  );
}
