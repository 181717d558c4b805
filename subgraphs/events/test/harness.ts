import { randomBytes, randomUUID } from 'node:crypto';
import { createTokenVerifier, type Role } from '@marquee/auth';
import { createTestIssuer } from '@marquee/auth/testing';
import { MemoryBus, type BusMessage } from '@marquee/bus';
import { createDatabase } from '@marquee/db';
import { freshDatabase } from '@marquee/db/test-database';
import { parseEnv } from '@marquee/env';
import { createLogger } from '@marquee/subgraph-kit';
import { graphql, type GraphQLResponse } from '@marquee/subgraph-kit/testing';
import { expect } from 'vitest';
import { eventsEnvSchema } from '../src/env.js';
import { startEventsService } from '../src/service.js';

export interface Person {
  id: string;
  token: string;
}

/** The events subgraph on a fresh database, called the way the gateway calls it. */
export async function startEvents(options: { onQuery?: (query: string) => void } = {}) {
  const database = await freshDatabase();
  const issuer = await createTestIssuer();
  const bus = new MemoryBus();
  const internalSecret = randomBytes(16).toString('hex');
  const env = parseEnv(eventsEnvSchema, {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    INTERNAL_SECRET: internalSecret,
    // Only kicks and settle() publish: no background polling between a test's statements.
    OUTBOX_POLL_MS: '600000',
  });
  const service = await startEventsService(env, {
    bus,
    port: 0,
    log: createLogger('events', 'silent'),
    verifier: createTokenVerifier({ jwks: issuer.jwks }),
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  const inspect = createDatabase({ url: database.url, schema: {}, max: 1 });

  const call = <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<GraphQLResponse<T>> =>
    graphql<T>(service.url, query, variables, { internalSecret, ...(token ? { token } : {}) });

  /** Like call, but fails the test on any error. */
  const ok = async <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<T> => {
    const res = await call<T>(query, variables, token);
    expect(res.errors).toBeUndefined();
    return res.data!;
  };

  const person = async (...roles: Role[]): Promise<Person> => {
    const id = randomUUID();
    return { id, token: await issuer.token(id, roles) };
  };

  /** Every message on `topic`, in the order the relay delivered them. */
  const recordTopic = async (topic: string) => {
    const seen: BusMessage[] = [];
    await bus.subscribe(topic, `test-${randomUUID()}`, async (message) => void seen.push(message));
    return seen;
  };

  return {
    url: service.url,
    databaseUrl: database.url,
    sql: inspect.sql,
    call,
    ok,
    person,
    /** Rows of every table, and the sum of versions: equal before and after means nothing was written. */
    async rowCounts() {
      const [row] = await inspect.sql`select
        (select count(*)::int from events.events) as events,
        (select count(*)::int from events.venues) as venues,
        (select count(*)::int from events.outbox) as outbox,
        (select coalesce(sum(version), 0)::int from events.events) as versions`;
      return row;
    },
    /** A token for a known user with other roles (e.g. after a role was taken away). */
    tokenFor: (id: string, roles: Role[]) => issuer.token(id, roles),
    recordTopic,
    settle: () => service.settle!(),
    async stop() {
      await inspect.close();
      await service.close();
      await database.drop();
    },
  };
}

export type EventsHarness = Awaited<ReturnType<typeof startEvents>>;

const DAY = 86_400_000;
/** A time `days` from now (fractions allowed), as the API takes it. */
export const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

export const EVENT_FIELDS = `id title description startsAt endsAt timezone categories status cancellationReason
  venue { id name city } organizer { id }`;

export const CREATE_VENUE = `mutation($input: CreateVenueInput!) { createVenue(input: $input) { id name address city country capacity latitude longitude } }`;
export const CREATE_EVENT = `mutation($input: CreateEventInput!) { createEvent(input: $input) { ${EVENT_FIELDS} } }`;
export const UPDATE_EVENT = `mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { ${EVENT_FIELDS} } }`;
export const PUBLISH_EVENT = `mutation($id: ID!) { publishEvent(id: $id) { ${EVENT_FIELDS} } }`;
export const CANCEL_EVENT = `mutation($id: ID!, $reason: String!) { cancelEvent(id: $id, reason: $reason) { ${EVENT_FIELDS} } }`;

export interface EventView {
  id: string;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  categories: string[];
  status: 'DRAFT' | 'PUBLISHED' | 'CANCELLED';
  cancellationReason: string | null;
  venue: { id: string; name: string; city: string };
  organizer: { id: string };
}

export const venueInput = (overrides: Record<string, unknown> = {}) => ({
  name: 'Columbia Halle',
  address: 'Columbiadamm 13-21',
  city: 'Berlin',
  country: 'DE',
  capacity: 3500,
  latitude: 52.4839,
  longitude: 13.3915,
  ...overrides,
});

export const eventInput = (venueId: string, overrides: Record<string, unknown> = {}) => ({
  title: 'Night of Synths',
  description: 'Modular synthesizers until sunrise.',
  startsAt: inDays(30),
  endsAt: inDays(30.25),
  timezone: 'Europe/Berlin',
  categories: ['Music'],
  venueId,
  ...overrides,
});

/** Seeding through the API, so tests exercise what clients do. */
export function fixtures(h: EventsHarness) {
  return {
    async venue(token: string, overrides: Record<string, unknown> = {}) {
      const data = await h.ok<{ createVenue: { id: string } }>(
        CREATE_VENUE,
        { input: venueInput(overrides) },
        token,
      );
      return data.createVenue;
    },
    async event(token: string, venueId: string, overrides: Record<string, unknown> = {}) {
      const data = await h.ok<{ createEvent: EventView }>(
        CREATE_EVENT,
        { input: eventInput(venueId, overrides) },
        token,
      );
      return data.createEvent;
    },
    async published(token: string, venueId: string, overrides: Record<string, unknown> = {}) {
      const draft = await this.event(token, venueId, overrides);
      const data = await h.ok<{ publishEvent: EventView }>(PUBLISH_EVENT, { id: draft.id }, token);
      return data.publishEvent;
    },
  };
}
