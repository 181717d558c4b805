import { AsyncResource } from 'node:async_hooks';
import { and, asc, inArray, isNull, sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import {
  bigserial,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  timestamp,
  type PgSchema,
  type PgTransaction,
} from 'drizzle-orm/pg-core';
import { consoleLogger, type Bus, type BusLogger, type BusMessage } from './bus.js';

/** Each subgraph declares these in its own Postgres schema (see its src/db/schema.ts). */
export function defineOutbox(schema: PgSchema) {
  return schema.table(
    'outbox',
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      topic: text('topic').notNull(),
      payload: jsonb('payload').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
      publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
      attempts: integer('attempts').notNull().default(0),
    },
    (t) => [
      index('outbox_unpublished_idx')
        .on(t.id)
        .where(sql`published_at is null`),
    ],
  );
}

export function defineInbox(schema: PgSchema) {
  return schema.table(
    'inbox',
    {
      consumer: text('consumer').notNull(),
      messageId: text('message_id').notNull(),
      processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.consumer, t.messageId] })],
  );
}

export type OutboxTable = ReturnType<typeof defineOutbox>;
export type InboxTable = ReturnType<typeof defineInbox>;
// Any drizzle postgres-js database or transaction works here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tx = PgTransaction<any, any, any> | PostgresJsDatabase<any>;

/** Call inside the same transaction as the change it announces. */
export async function appendToOutbox(tx: Tx, outbox: OutboxTable, topic: string, payload: unknown) {
  await tx.insert(outbox).values({ topic, payload });
}

/**
 * Runs `effect` at most once per (consumer, message): the inbox row and the effect commit
 * together, so a redelivered message is skipped and a failed one is retried whole.
 */
export async function consumeOnce<T>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: PostgresJsDatabase<any>,
  inbox: InboxTable,
  consumer: string,
  messageId: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  effect: (tx: PgTransaction<any, any, any>) => Promise<T>,
): Promise<T | undefined> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(inbox)
      .values({ consumer, messageId })
      .onConflictDoNothing()
      .returning({ id: inbox.messageId });
    if (inserted.length === 0) return undefined;
    return effect(tx);
  });
}

export interface RelayOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: PostgresJsDatabase<any>;
  outbox: OutboxTable;
  bus: Bus;
  /** The publishing service's name; message ids are `<source>:<row id>`. */
  source: string;
  pollMs?: number;
  batchSize?: number;
  logger?: BusLogger;
  /**
   * Called after each message went out, best effort (a failure is logged, the row still counts
   * as published): e.g. a live "something changed" broadcast next to the durable message.
   */
  afterPublish?: (message: BusMessage) => Promise<void>;
}

/**
 * Publishes committed outbox rows. Rows are locked with SKIP LOCKED while being published,
 * so replicas never publish the same row at once; a row is marked only after the bus took
 * it, so a crash or a bus outage delays messages but loses none (consumers dedupe).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failures = 0;
  private readonly scope = new AsyncResource('OutboxRelay');

  constructor(private readonly options: RelayOptions) {}

  start() {
    this.stopped = false;
    this.schedule(0);
  }

  /** Ask for a prompt run, e.g. right after a transaction that wrote the outbox committed. */
  kick() {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Publishes everything pending now; used by shutdown and tests. */
  async flush() {
    while (this.running) await this.running;
    await this.runOnce();
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await this.running.catch(() => undefined);
  }

  private schedule(delay: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    // Timers inherit the async context they are set in: a kick() from a request would make
    // every later poll part of that request (its trace, its log fields). The relay's own scope
    // is where it was created.
    this.scope.runInAsyncScope(() => {
      this.timer = setTimeout(() => void this.tick(), delay);
      this.timer.unref?.();
    });
  }

  private async tick() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runOnce();
    try {
      await this.running;
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      (this.options.logger ?? consoleLogger).error({ err: String(error) }, 'outbox relay failed; will retry');
    } finally {
      this.running = undefined;
    }
    const backoff = Math.min(30_000, 250 * 2 ** this.failures);
    const next = this.failures > 0 ? backoff : this.again ? 0 : (this.options.pollMs ?? 1_000);
    this.again = false;
    this.schedule(next);
  }

  private async runOnce() {
    const { db, outbox, bus, source } = this.options;
    const batchSize = this.options.batchSize ?? 100;
    for (;;) {
      const { count, failure } = await db.transaction(async (tx) => {
        const rows = await tx
          .select()
          .from(outbox)
          .where(isNull(outbox.publishedAt))
          .orderBy(asc(outbox.id))
          .limit(batchSize)
          .for('update', { skipLocked: true });
        const done: number[] = [];
        let failure: unknown;
        for (const row of rows) {
          const message = {
            id: `${source}:${row.id}`,
            topic: row.topic,
            payload: row.payload,
            occurredAt: row.createdAt.toISOString(),
          };
          try {
            await bus.publish(message);
            done.push(row.id);
          } catch (error) {
            failure = error;
            break;
          }
          await this.options
            .afterPublish?.(message)
            .catch((error: unknown) =>
              (this.options.logger ?? consoleLogger).error(
                { err: String(error) },
                'after-publish hook failed',
              ),
            );
        }
        // Keep what went out even when a later row failed; the rest stays pending.
        if (done.length > 0) {
          await tx
            .update(outbox)
            .set({ publishedAt: new Date(), attempts: sql`${outbox.attempts} + 1` })
            .where(and(inArray(outbox.id, done), isNull(outbox.publishedAt)));
        }
        return { count: rows.length, failure };
      });
      if (failure) throw failure;
      if (count < batchSize) return;
    }
  }
}

/** How many rows still wait; exposed for readiness and tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function pendingOutbox(db: PostgresJsDatabase<any>, outbox: OutboxTable): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(isNull(outbox.publishedAt));
  return row?.n ?? 0;
}
