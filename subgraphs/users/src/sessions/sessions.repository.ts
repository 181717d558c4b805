import { Inject, Injectable } from '@nestjs/common';
import { and, eq, getTableColumns, gt, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { DB } from '../tokens.js';
import { schema, type UsersDatabase } from '../db/database.js';

const tokens = schema.refreshTokens;
export type RefreshTokenRow = typeof tokens.$inferSelect;
type NewToken = { userId: string; familyId: string; tokenHash: string; expiresAt: Date };

/** Rotated within the last `graceSeconds`, by the database's clock (one clock for all replicas). */
const rotatedWithin = (graceSeconds: number) =>
  sql<boolean>`coalesce(${tokens.rotatedAt} > now() - make_interval(secs => ${graceSeconds}::int), false)`;

@Injectable()
export class SessionsRepository {
  constructor(@Inject(DB) private readonly database: UsersDatabase) {}

  async insert(values: NewToken): Promise<void> {
    await this.database.db.insert(tokens).values(values);
  }

  async findByHash(
    tokenHash: string,
    graceSeconds = 0,
  ): Promise<(RefreshTokenRow & { withinGrace: boolean }) | undefined> {
    const [row] = await this.database.db
      .select({ ...getTableColumns(tokens), withinGrace: rotatedWithin(graceSeconds) })
      .from(tokens)
      .where(eq(tokens.tokenHash, tokenHash));
    return row;
  }

  /**
   * Rotates a live token into `next`, keeping the sealed pair on it. The conditional UPDATE
   * decides: of requests racing with one token exactly one finds it unrotated (the others wait
   * for its row lock, then see it rotated) and false tells them to look for its successor.
   */
  async rotate(id: string, successor: string, next: NewToken): Promise<boolean> {
    return this.database.db.transaction(async (tx) => {
      const rotated = await tx
        .update(tokens)
        .set({ rotatedAt: sql`now()`, successor })
        .where(
          and(
            eq(tokens.id, id),
            isNull(tokens.rotatedAt),
            isNull(tokens.revokedAt),
            gt(tokens.expiresAt, sql`now()`),
          ),
        )
        .returning({ id: tokens.id });
      if (rotated.length === 0) return false;
      await tx.insert(tokens).values(next);
      return true;
    });
  }

  /** Ends every session of one login; the sealed successors go with it. */
  async revokeFamily(familyId: string): Promise<void> {
    await this.database.db
      .update(tokens)
      .set({ revokedAt: sql`coalesce(${tokens.revokedAt}, now())`, successor: null })
      .where(and(eq(tokens.familyId, familyId), or(isNull(tokens.revokedAt), isNotNull(tokens.successor))));
  }

  /** Sealed successors are of use only within the grace: drop the older ones (bounded per call). */
  async forgetSuccessors(graceSeconds: number, batch = 1000): Promise<void> {
    await this.database.db.execute(sql`
      update ${tokens} set successor = null where id in (
        select id from ${tokens}
        where successor is not null and rotated_at < now() - make_interval(secs => ${graceSeconds}::int)
        limit ${batch})`);
  }

  /** Ends the session a current token belongs to; false when there was none to end. */
  async revokeLive(tokenHash: string): Promise<boolean> {
    const rows = await this.database.db
      .update(tokens)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(tokens.tokenHash, tokenHash),
          isNull(tokens.rotatedAt),
          isNull(tokens.revokedAt),
          gt(tokens.expiresAt, new Date()),
        ),
      )
      .returning({ id: tokens.id });
    return rows.length === 1;
  }
}
