import { Inject, Injectable } from '@nestjs/common';
import { inArray } from 'drizzle-orm';
import { schema, type EventsDatabase } from '../db/database.js';
import { DB } from '../tokens.js';
import type { VenueFields } from './venue-input.js';

export type VenueRow = typeof schema.venues.$inferSelect;

@Injectable()
export class VenuesRepository {
  constructor(@Inject(DB) private readonly database: EventsDatabase) {}

  async insert(values: VenueFields & { createdBy: string }): Promise<VenueRow> {
    const [row] = await this.database.db.insert(schema.venues).values(values).returning();
    return row!;
  }

  findByIds(ids: readonly string[]): Promise<VenueRow[]> {
    return this.database.db
      .select()
      .from(schema.venues)
      .where(inArray(schema.venues.id, [...ids]));
  }
}
