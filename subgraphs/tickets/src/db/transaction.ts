import { PG, pgErrorCode } from '@marquee/db';
import type { TicketsDb, TicketsTx } from './database.js';

const RETRYABLE = new Set<string>([PG.deadlockDetected, PG.serializationFailure]);

/**
 * A short read-committed transaction, retried a few times if Postgres picks it as a deadlock
 * victim (locks are always taken in one order, so this is a safety net, not a plan).
 */
export function inTransaction<T>(db: TicketsDb, work: (tx: TicketsTx) => Promise<T>): Promise<T> {
  return retryingDeadlocks(() => db.transaction(work));
}

/** The same retry for work that is one statement (a statement is its own transaction). */
export async function retryingDeadlocks<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = pgErrorCode(error);
      if (attempt >= 3 || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt));
    }
  }
}
