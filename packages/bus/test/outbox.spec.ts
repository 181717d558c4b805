import { createDatabase, type Database } from '@marquee/db';
import { freshDatabase } from '@marquee/db/test-database';
import type { TestDatabase } from '@marquee/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../src/bus.js';
import { MemoryBus } from '../src/memory-bus.js';
import { appendToOutbox, consumeOnce, OutboxRelay, pendingOutbox } from '../src/outbox.js';
import * as schema from './schema.js';

let testDb: TestDatabase;
let database: Database<typeof schema>;

beforeAll(async () => {
  testDb = await freshDatabase();
  database = createDatabase({ url: testDb.url, schema });
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

describe('outbox relay', () => {
  it('publishes committed rows once and never rolled-back ones', async () => {
    const bus = new MemoryBus();
    const seen: BusMessage[] = [];
    await bus.subscribe('t.committed', 'test', async (m) => void seen.push(m));
    await database.db.transaction(async (tx) => appendToOutbox(tx, schema.outbox, 't.committed', { n: 1 }));
    await database.db
      .transaction(async (tx) => {
        await appendToOutbox(tx, schema.outbox, 't.committed', { n: 2 });
        throw new Error('abort');
      })
      .catch(() => undefined);
    const relay = new OutboxRelay({ db: database.db, outbox: schema.outbox, bus, source: 'bustest' });
    await relay.flush();
    await relay.flush();
    expect(seen.map((m) => m.payload)).toEqual([{ n: 1 }]);
    expect(seen[0]?.id).toMatch(/^bustest:\d+$/);
    expect(await pendingOutbox(database.db, schema.outbox)).toBe(0);
  });

  it('keeps rows pending while the consumer fails, and delivers them afterwards', async () => {
    const bus = new MemoryBus();
    let failing = true;
    const seen: unknown[] = [];
    await bus.subscribe('t.retry', 'test', async (m) => {
      if (failing) throw new Error('consumer down');
      seen.push(m.payload);
    });
    await database.db.transaction(async (tx) => {
      await appendToOutbox(tx, schema.outbox, 't.retry', { n: 'a' });
      await appendToOutbox(tx, schema.outbox, 't.retry', { n: 'b' });
    });
    const relay = new OutboxRelay({ db: database.db, outbox: schema.outbox, bus, source: 'bustest' });
    await expect(relay.flush()).rejects.toThrow();
    expect(await pendingOutbox(database.db, schema.outbox)).toBe(2);
    failing = false;
    await relay.flush();
    expect(seen).toEqual([{ n: 'a' }, { n: 'b' }]);
    expect(await pendingOutbox(database.db, schema.outbox)).toBe(0);
  });

  it('consumeOnce applies an effect once per message id', async () => {
    const apply = () =>
      consumeOnce(database.db, schema.inbox, 'test-consumer', 'svc:42', async (tx) => {
        await tx.insert(schema.effects).values({ note: 'svc:42' });
        return 'applied';
      });
    const results = await Promise.allSettled([apply(), apply(), apply()]);
    const applied = results.filter((r) => r.status === 'fulfilled' && r.value === 'applied');
    expect(applied).toHaveLength(1);
    const rows = await database.db.select().from(schema.effects);
    expect(rows.filter((r) => r.note === 'svc:42')).toHaveLength(1);
  });
});
