import { Inject, Injectable } from '@nestjs/common';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { DB } from '../tokens.js';
import { schema, type UsersDatabase, type UsersDb } from '../db/database.js';

type Tx = Parameters<Parameters<UsersDb['transaction']>[0]>[0];
export type RefreshTokenRow = typeof schema.refreshTokens.$inferSelect;

@Injectable()
export class SessionsRepository {
  constructor(@Inject(DB) private readonly database: UsersDatabase) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.db.transaction(work);
  }

  async insert(
    tx: Tx | UsersDb,
    values: { userId: string; familyId: string; tokenHash: string; expiresAt: Date },
  ): Promise<void> {
    await tx.insert(schema.refreshTokens).values(values);
  }

  async findByHash(tx: Tx, tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const [row] = await tx
      .select()
      .from(schema.refreshTokens)
      .where(eq(schema.refreshTokens.tokenHash, tokenHash));
    return row;
  }

  /** Marks a live token as used; false when it was already rotated or revoked (a replay). */
  async markRotated(tx: Tx, id: string): Promise<boolean> {
    const rows = await tx
      .update(schema.refreshTokens)
      .set({ rotatedAt: new Date() })
      .where(
        and(
          eq(schema.refreshTokens.id, id),
          isNull(schema.refreshTokens.rotatedAt),
          isNull(schema.refreshTokens.revokedAt),
        ),
      )
      .returning({ id: schema.refreshTokens.id });
    return rows.length === 1;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.database.db
      .update(schema.refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(schema.refreshTokens.familyId, familyId), isNull(schema.refreshTokens.revokedAt)));
  }

  /** Ends the session a current token belongs to; false when there was none to end. */
  async revokeLive(tokenHash: string): Promise<boolean> {
    const rows = await this.database.db
      .update(schema.refreshTokens)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(schema.refreshTokens.tokenHash, tokenHash),
          isNull(schema.refreshTokens.rotatedAt),
          isNull(schema.refreshTokens.revokedAt),
          gt(schema.refreshTokens.expiresAt, new Date()),
        ),
      )
      .returning({ id: schema.refreshTokens.id });
    return rows.length === 1;
  }
}
