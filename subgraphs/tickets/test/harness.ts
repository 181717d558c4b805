import { randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '@marquee/auth';
import { createTokenVerifier } from '@marquee/auth';
import { createTestIssuer, type TestIssuer } from '@marquee/auth/testing';
import { MemoryBus, Topics, type Bus, type EventChanged } from '@marquee/bus';
import { createDatabase } from '@marquee/db';
import { freshDatabase } from '@marquee/db/test-database';
import type { TestDatabase } from '@marquee/db/testing';
import { parseEnv } from '@marquee/env';
import { createLogger } from '@marquee/subgraph-kit';
import { graphql } from '@marquee/subgraph-kit/testing';
import { ticketsEnvSchema } from '../src/env.js';
import { TestPaymentProvider } from '../src/payments/payment-provider.js';
import { startTicketsService, type TicketsDeps, type TicketsRunningService } from '../src/service.js';

export interface StartOptions {
  env?: Record<string, string>;
  /** Another bus for this instance (e.g. its own RedisBus); the in-process one otherwise. */
  bus?: Bus;
  deps?: Partial<Omit<TicketsDeps, 'bus'>>;
}

/**
 * The tickets subgraph on a fresh database with an in-process bus, called the way the gateway
 * calls it. Workers are driven by hand (sweepOnce, runCancellations) unless a test turns them on.
 */
export async function startTickets(options: StartOptions = {}) {
  const database: TestDatabase = await freshDatabase();
  const internalSecret = randomBytes(16).toString('hex');
  const bus: Bus = options.bus ?? new MemoryBus();
  const issuer: TestIssuer = await createTestIssuer();
  const payments = new TestPaymentProvider();
  const sql = createDatabase({ url: database.url, schema: {}, max: 2 }).sql;
  let versions = 0;

  const boot = (overrides: StartOptions = options) => {
    const env = parseEnv(ticketsEnvSchema, {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      INTERNAL_SECRET: internalSecret,
      SWEEP_INTERVAL_MS: '3600000',
      EVENTS_URL: 'http://127.0.0.1:9/graphql',
      ...overrides.env,
    });
    return startTicketsService(env, {
      bus: overrides.bus ?? bus,
      port: 0,
      log: createLogger('tickets', 'silent'),
      verifier: createTokenVerifier({ jwks: issuer.jwks }),
      payments,
      workers: { sweeper: false, cancellations: false, recovery: false, notifications: false },
      ...overrides.deps,
    });
  };
  let service: TicketsRunningService = await boot();

  const world = {
    get service() {
      return service;
    },
    get url() {
      return service.url;
    },
    databaseUrl: database.url,
    internalSecret,
    bus,
    payments,
    sql,
    token: (userId: string, roles: Role[] = ['ATTENDEE']) => issuer.token(userId, roles),
    call: <T = Record<string, unknown>>(
      query: string,
      variables: Record<string, unknown> = {},
      token?: string,
    ) => graphql<T>(service.url, query, variables, { internalSecret, ...(token ? { token } : {}) }),

    /** The same call against another replica's URL. */
    callAt: <T = Record<string, unknown>>(
      url: string,
      query: string,
      variables: Record<string, unknown> = {},
      token?: string,
    ) => graphql<T>(url, query, variables, { internalSecret, ...(token ? { token } : {}) }),

    /** What the events service would announce; returns the event id. */
    async publishEvent(fields: Partial<EventChanged> & { organizerId: string }): Promise<string> {
      const eventId = fields.eventId ?? randomUUID();
      const payload: EventChanged = {
        eventId,
        version: ++versions,
        status: 'PUBLISHED',
        title: 'A concert',
        categories: ['music'],
        startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 7 * 86_400_000 + 3 * 3_600_000).toISOString(),
        timezone: 'Europe/Berlin',
        venue: {
          id: randomUUID(),
          name: 'Hall',
          city: 'Berlin',
          country: 'DE',
          latitude: null,
          longitude: null,
        },
        ...fields,
      };
      await bus.publish({
        id: `events:${randomUUID()}`,
        topic: Topics.eventChanged,
        payload,
        occurredAt: new Date().toISOString(),
      });
      return eventId;
    },

    async cancelEvent(eventId: string, organizerId: string, messageId = `events:${randomUUID()}`) {
      await bus.publish({
        id: messageId,
        topic: Topics.eventCancelled,
        payload: { eventId, organizerId, reason: 'The band split up' },
        occurredAt: new Date().toISOString(),
      });
    },

    /** Another replica on the same database and bus (its own workers stay off). */
    startReplica: (overrides?: StartOptions) => boot(overrides),

    /** Stops the service (as a crash or deploy would) and starts a new one on the same data. */
    async restart(overrides?: StartOptions) {
      await service.close();
      service = await boot(overrides);
    },

    async stop() {
      await service.close();
      await sql.end();
      await database.drop();
    },
  };
  return world;
}

export type World = Awaited<ReturnType<typeof startTickets>>;
