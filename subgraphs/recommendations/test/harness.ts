import { randomBytes, randomUUID } from 'node:crypto';
import { CLIENT_IP_HEADER, createTokenVerifier } from '@marquee/auth';
import { createTestIssuer } from '@marquee/auth/testing';
import { MemoryBus, Topics, type EventChanged, type OrderConfirmed, type OrderRefunded } from '@marquee/bus';
import { freshDatabase } from '@marquee/db/test-database';
import { parseEnv } from '@marquee/env';
import { createLogger, type RunningService } from '@marquee/subgraph-kit';
import { graphql } from '@marquee/subgraph-kit/testing';
import { recommendationsEnvSchema } from '../src/env.js';
import { startRecommendationsService } from '../src/service.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export type EventOverrides = Partial<Omit<EventChanged, 'venue'>> & {
  city?: string;
  venueId?: string;
  venueName?: string;
  /** Default: the city's centre from CITY_CENTRES; null (unknown) for other cities. */
  latitude?: number | null;
  longitude?: number | null;
};

/** Where test venues are, by city (lower-case); cities not listed have no coordinates. */
export const CITY_CENTRES: Record<string, { latitude: number; longitude: number }> = {
  berlin: { latitude: 52.52, longitude: 13.405 },
  potsdam: { latitude: 52.39, longitude: 13.065 },
  hamburg: { latitude: 53.551, longitude: 9.994 },
  cologne: { latitude: 50.938, longitude: 6.96 },
  munich: { latitude: 48.137, longitude: 11.575 },
  paris: { latitude: 48.857, longitude: 2.352 },
  lisbon: { latitude: 38.722, longitude: -9.139 },
  sintra: { latitude: 38.8, longitude: -9.378 },
  porto: { latitude: 41.158, longitude: -8.629 },
};

/**
 * The recommendations subgraph on a fresh database, called the way the gateway calls it, fed
 * by an in-process bus on which tests play the other services, with a clock tests can move.
 */
export async function startRecommendations() {
  const database = await freshDatabase();
  const internalSecret = randomBytes(16).toString('hex');
  const issuer = await createTestIssuer();
  const bus = new MemoryBus();
  const statements: string[] = [];
  let now = new Date();
  const env = parseEnv(recommendationsEnvSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    INTERNAL_SECRET: internalSecret,
    // Only kicks and settle() publish, so the relay never adds statements to a count.
    OUTBOX_POLL_MS: '60000',
  });
  const service: RunningService = await startRecommendationsService(env, {
    bus,
    port: 0,
    log: createLogger('recommendations', 'silent'),
    onQuery: (query) => statements.push(query),
    verifier: createTokenVerifier({ jwks: issuer.jwks }),
    clock: () => now,
  });
  let sequence = 0;
  const publish = async (topic: string, payload: unknown, id = `test:${++sequence}`) => {
    await bus.publish({ id, topic, payload, occurredAt: new Date().toISOString() });
    return id;
  };

  const harness = {
    url: service.url,
    databaseUrl: database.url,
    bus,
    internalSecret,
    /** `clientIp` plays the gateway's `x-marquee-client-ip` (none: a call from another service). */
    call: <T = Record<string, unknown>>(
      query: string,
      variables: Record<string, unknown> = {},
      token?: string,
      clientIp?: string,
    ) =>
      graphql<T>(service.url, query, variables, {
        internalSecret,
        ...(token ? { token } : {}),
        ...(clientIp ? { headers: { [CLIENT_IP_HEADER]: clientIp } } : {}),
      }),
    /** A signed-in user: their id and an access token. */
    async user() {
      const id = randomUUID();
      return { id, token: await issuer.token(id) };
    },
    get now() {
      return now;
    },
    setNow(date: Date) {
      now = date;
    },
    publish,
    /** Plays the events service: publishes a snapshot, returns it. */
    async event(overrides: EventOverrides = {}): Promise<EventChanged> {
      const { city = 'Berlin', venueId = randomUUID(), venueName = 'A venue', ...withPlace } = overrides;
      const centre = CITY_CENTRES[city.trim().toLowerCase()];
      const {
        latitude = centre?.latitude ?? null,
        longitude = centre?.longitude ?? null,
        ...rest
      } = withPlace;
      const startsAt = rest.startsAt ?? new Date(now.getTime() + 7 * DAY).toISOString();
      const snapshot: EventChanged = {
        eventId: randomUUID(),
        version: 1,
        organizerId: randomUUID(),
        status: 'PUBLISHED',
        title: 'An event',
        categories: ['music'],
        endsAt: new Date(new Date(startsAt).getTime() + 3 * HOUR).toISOString(),
        timezone: 'Europe/Berlin',
        ...rest,
        startsAt,
        venue: { id: venueId, name: venueName, city, country: 'DE', latitude, longitude },
      };
      await publish(Topics.eventChanged, snapshot);
      return snapshot;
    },
    /** Plays the tickets service: a confirmed order; returns its payload. */
    async buy(userId: string, eventId: string, confirmedAt = now, orderId: string = randomUUID()) {
      const payload: OrderConfirmed = {
        orderId,
        userId,
        eventId,
        ticketCount: 1,
        totalCents: 2500,
        currency: 'EUR',
        confirmedAt: confirmedAt.toISOString(),
      };
      await publish(Topics.orderConfirmed, payload);
      return payload;
    },
    async refund(order: { orderId: string; userId: string; eventId: string }) {
      const payload: OrderRefunded = { ...order, refundedAt: now.toISOString() };
      await publish(Topics.orderRefunded, payload);
    },
    /**
     * Records a view as `token`'s user (or anonymously) at `at` (default: now), from `clientIp`
     * (default: none, `unknown`): anonymous views count once per client, event and UTC day.
     */
    async view(eventId: string, token?: string, at?: Date, clientIp?: string) {
      const before = now;
      if (at) now = at;
      try {
        const res = await harness.call(
          `mutation($id: ID!) { recordEventView(eventId: $id) }`,
          { id: eventId },
          token,
          clientIp,
        );
        if (res.errors) throw new Error(JSON.stringify(res.errors));
      } finally {
        now = before;
      }
    },
    /**
     * The SQL statements `action` sent. The outbox relay works on its own schedule (a view
     * kicks it); its transactions are not the action's, so they are left out.
     */
    async statementsDuring(action: () => Promise<unknown>): Promise<string[]> {
      await service.settle!();
      statements.length = 0;
      await action();
      return statements.filter((s) => !/^\s*(begin|commit)\b/i.test(s) && !/"outbox"/.test(s));
    },
    settle: () => service.settle!(),
    async stop() {
      await service.close();
      await database.drop();
    },
  };
  return harness;
}

export type Harness = Awaited<ReturnType<typeof startRecommendations>>;
