import { PG, pgErrorCode } from '@marquee/db';
import type { TicketsDb, TicketsTx } from './database.js';

const RETRYABLE = new Set<string>([PG.deadlockDetected, PG.serializationFailure]);

/**
 * A short read-committed transaction, retried a few times if Postgres picks it as a deadlock
 * victim (locks are always taken in one order, so this is a safety net, not a plan).
 */
export async function inTransaction<T>(db: TicketsDb, work: (tx: TicketsTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      const code = pgErrorCode(error);
      if (attempt >= 3 || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt));
    }
  }
}
