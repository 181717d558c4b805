import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { anyUuid } from '@marquee/db';
import { schema, type EventsDatabase } from '../db/database.js';
import { DB } from '../tokens.js';
import type { VenueFields } from './venue-input.js';

export type VenueRow = typeof schema.venues.$inferSelect;

@Injectable()
export class VenuesRepository {
  /** Built once: the loaders' hottest read skips query building too. */
  private readonly byIds;

  constructor(@Inject(DB) private readonly database: EventsDatabase) {
    this.byIds = database.db
      .select()
      .from(schema.venues)
      .where(anyUuid(schema.venues.id, sql.placeholder('ids')))
      .prepare('venues.by-ids');
  }

  async insert(values: VenueFields & { createdBy: string }): Promise<VenueRow> {
    const [row] = await this.database.db.insert(schema.venues).values(values).returning();
    return row!;
  }

  findByIds(ids: readonly string[]): Promise<VenueRow[]> {
    return this.byIds.execute({ ids: [...ids] });
  }
}
