import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERNAL_HEADER, createTokenVerifier } from '@marquee/auth';
import { createTestIssuer } from '@marquee/auth/testing';
import { MemoryBus, Topics, type EventChanged } from '@marquee/bus';
import { ensureDatabase, quoteIdent, startEmbeddedPostgres } from '@marquee/db/embedded';
import { freePort } from '@marquee/db/testing';
import { parseEnv } from '@marquee/env';
import { createLogger } from '@marquee/subgraph-kit';
import postgres from 'postgres';
import { ticketsEnvSchema } from '#src/env.js';
import { startTicketsService, type TicketsRunningService } from '#src/service.js';

export interface GraphQLReply<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}

/** A fresh database: a new one on DATABASE_URL's server, or an embedded server in a temp folder. */
async function freshDatabase(): Promise<{ url: string; kind: string; drop(): Promise<void> }> {
  const name = `marquee_bench_${randomBytes(4).toString('hex')}`;
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const url = await ensureDatabase(serverUrl, name);
    return {
      url,
      kind: 'DATABASE_URL',
      async drop() {
        const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'marquee-bench-'));
  chmodSync(dir, 0o755); // the server may run as the postgres user (when we are root)
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, 'data'),
    port: await freePort(),
    persistent: false,
  });
  const url = await ensureDatabase(server.adminUrl, name);
  return {
    url,
    kind: 'embedded',
    async drop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The tickets subgraph as the gateway sees it: its own HTTP /graphql, the internal credential,
 * access tokens from a test issuer, and the event directory fed over an in-process bus.
 */
export async function startBenchWorld(env: Record<string, string> = {}) {
  const database = await freshDatabase();
  const bus = new MemoryBus();
  const issuer = await createTestIssuer();
  const internalSecret = randomBytes(16).toString('hex');
  const config = parseEnv(ticketsEnvSchema, {
    NODE_ENV: 'production',
    // The benchmark pays with the built-in test provider (tok_ok).
    ALLOW_TEST_PAYMENTS: 'true',
    DATABASE_URL: database.url,
    INTERNAL_SECRET: internalSecret,
    HOST: '127.0.0.1',
    EVENTS_URL: 'http://127.0.0.1:9/graphql',
    LOG_LEVEL: 'silent',
    ...env,
  });
  // BENCH_COUNT_STATEMENTS=1: count statements by kind (costs a little CPU; off by default).
  const statements = new Map<string, number>();
  const count = (query: string) => {
    const kind = query.replace(/\s+/g, ' ').slice(0, 48);
    statements.set(kind, (statements.get(kind) ?? 0) + 1);
  };
  const service: TicketsRunningService = await startTicketsService(config, {
    bus,
    port: 0,
    log: createLogger('tickets', 'silent'),
    verifier: createTokenVerifier({ jwks: issuer.jwks }),
    ...(process.env.BENCH_COUNT_STATEMENTS ? { onQuery: count } : {}),
  }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  let version = 0;

  return {
    url: service.url,
    internalSecret,
    databaseKind: database.kind,
    poolMax: config.DB_POOL_MAX,
    sql,
    service,
    /** Statements sent since the last call, by kind (empty unless BENCH_COUNT_STATEMENTS is set). */
    takeStatementCounts() {
      const counts = Object.fromEntries([...statements].sort((a, b) => b[1] - a[1]));
      statements.clear();
      return counts;
    },
    token: (userId: string, roles: ('ATTENDEE' | 'ORGANIZER')[] = ['ATTENDEE']) =>
      issuer.token(userId, roles),

    async call<T>(
      query: string,
      variables: Record<string, unknown>,
      token?: string,
    ): Promise<GraphQLReply<T>> {
      const response = await fetch(service.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [INTERNAL_HEADER]: internalSecret,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLReply<T>;
    },

    /** What the events service announces when an event is published; returns its id. */
    async publishEvent(organizerId: string): Promise<string> {
      const eventId = randomUUID();
      const startsAt = Date.now() + 30 * 86_400_000;
      const payload: EventChanged = {
        eventId,
        version: ++version,
        organizerId,
        status: 'PUBLISHED',
        title: `Bench event ${version}`,
        categories: ['music'],
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 3 * 3_600_000).toISOString(),
        timezone: 'Europe/Berlin',
        venue: {
          id: randomUUID(),
          name: 'Hall',
          city: 'Berlin',
          country: 'DE',
          latitude: null,
          longitude: null,
        },
      };
      await bus.publish({
        id: `events:${randomUUID()}`,
        topic: Topics.eventChanged,
        payload,
        occurredAt: new Date().toISOString(),
      });
      return eventId;
    },

    async stop() {
      await service.close();
      await sql.end();
      await bus.close();
      await database.drop();
    },
  };
}

export type BenchWorld = Awaited<ReturnType<typeof startBenchWorld>>;
