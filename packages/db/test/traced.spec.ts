import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/index.js';
import { freshDatabase } from '../src/test-database.js';
import type { TestDatabase } from '../src/testing.js';
import * as schema from './schema.js';

// This file runs in its own worker process: registering a global tracer touches no other file.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
let testDb: TestDatabase;
let database: Database<typeof schema>;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  testDb = await freshDatabase();
  database = createDatabase({ url: testDb.url, schema, max: 3 });
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

/** Runs `work` inside a span, as a request's work runs inside its HTTP span. */
function traced<T>(work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan('request', async (span) => {
    try {
      return await work();
    } finally {
      span.end();
    }
  });
}

describe('database spans', () => {
  it('makes every statement a db.query span under the active span, with placeholders, not values', async () => {
    await traced(async () => {
      await database.db.insert(schema.things).values({ name: 'secret-value-1' });
      await database.sql`select ${'secret-value-2'}::text as v`;
    });
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'request')!;
    const queries = spans.filter((s) => s.name === 'db.query');
    expect(queries).toHaveLength(2);
    for (const query of queries) {
      expect(query.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(query.attributes['db.system']).toBe('postgresql');
      expect(query.attributes['db.name']).toBe(new URL(testDb.url).pathname.slice(1));
      expect(String(query.attributes['db.statement'])).toMatch(/\$1/);
      expect(String(query.attributes['db.statement'])).not.toMatch(/secret-value/);
    }
    expect(queries.map((q) => q.attributes['db.operation'])).toEqual(['INSERT', 'SELECT']);
  });

  it('nests a transaction`s statements in a db.transaction span, and marks failures', async () => {
    await traced(() =>
      database.db
        .transaction(async (tx) => {
          await tx.select().from(schema.things);
          await tx.execute('select * from no_such_table');
        })
        .catch(() => undefined),
    );
    const spans = exporter.getFinishedSpans();
    const transaction = spans.find((s) => s.name === 'db.transaction')!;
    expect(transaction.status.code).toBe(2); // ERROR
    const inside = spans.filter((s) => s.parentSpanContext?.spanId === transaction.spanContext().spanId);
    expect(inside.map((s) => s.attributes['db.operation'])).toEqual(['SELECT', 'SELECT']);
    const failed = inside.find((s) => String(s.attributes['db.statement']).includes('no_such_table'))!;
    expect(failed.attributes['db.response.status_code']).toBe('42P01');
  });

  it('starts no span outside a trace (background work), and still answers', async () => {
    expect(await database.db.select().from(schema.things)).not.toHaveLength(0);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('counts connections in use and demand beyond the pool as waiting', async () => {
    expect(database.pool()).toEqual({ max: 3, inUse: 0, idle: 3, waiting: 0 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Counted when asked for, before any connection is handed out.
    const holders = [1, 2, 3, 4].map(() => database.db.transaction(() => gate));
    expect(database.pool()).toEqual({ max: 3, inUse: 3, idle: 0, waiting: 1 });
    release();
    await Promise.all(holders);
    expect(database.pool()).toEqual({ max: 3, inUse: 0, idle: 3, waiting: 0 });
  });
});
