import { Inject, Injectable } from '@nestjs/common';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { DB } from '../tokens.js';
import { schema, type UsersDatabase } from '../db/database.js';

export type ApiKeyRow = typeof schema.apiKeys.$inferSelect;

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(DB) private readonly database: UsersDatabase) {}

  async insert(values: { name: string; keyHash: string; rateLimitPerMinute: number; createdBy: string }) {
    const [row] = await this.database.db.insert(schema.apiKeys).values(values).returning();
    return row!;
  }

  list(): Promise<ApiKeyRow[]> {
    return this.database.db.select().from(schema.apiKeys).orderBy(desc(schema.apiKeys.createdAt));
  }

  /** True when the key existed; revoking twice is harmless. */
  async revoke(id: string): Promise<boolean> {
    const [row] = await this.database.db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, id));
    if (!row) return false;
    await this.database.db
      .update(schema.apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(schema.apiKeys.id, id), isNull(schema.apiKeys.revokedAt)));
    return true;
  }

  /** The active key with this hash, its lastUsedAt moved to now. */
  async touchActive(keyHash: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.database.db
      .update(schema.apiKeys)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(schema.apiKeys.keyHash, keyHash), isNull(schema.apiKeys.revokedAt)))
      .returning();
    return row;
  }
}
