import postgres from 'postgres';
import { expect } from 'vitest';
import { buy, createEvent } from '../fixtures.js';
import { ADMIN, ORGANIZER, type TestStack } from '../harness.js';
import type { Actor } from './matrix.js';

export interface Person {
  id: string;
  email: string;
  token: string;
}

type Signed = Exclude<Actor, 'anonymous' | 'partner' | 'direct'>;

export const PASSWORD = 'long enough password';

/**
 * The actors and the objects the matrix acts on: O's venue, a PUBLISHED event with a big tier
 * and a DRAFT one, A's CONFIRMED order; plus factories for the fresh state a cell consumes.
 */
export interface World {
  stack: TestStack;
  sql: postgres.Sql;
  people: Record<Signed, Person>;
  /** A live partner key an ADMIN created. */
  partnerKey: string;
  venueId: string;
  eventId: string;
  tierId: string;
  draftEventId: string;
  order: { id: string; code: string };
  /** The account whose password the signIn cells use. */
  account: { id: string; email: string };
  unique(prefix: string): string;
  newUser(): Promise<string>;
  newApiKey(): Promise<string>;
  newRefreshToken(): Promise<string>;
  newDraftEvent(): Promise<string>;
  newPublishedEvent(): Promise<string>;
  newReservation(): Promise<string>;
  newOrder(): Promise<{ id: string; code: string }>;
}

export async function buildWorld(stack: TestStack): Promise<World> {
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const person = (auth: { token: string; userId: string }, email: string): Person => ({
    id: auth.userId,
    email,
    token: auth.token,
  });
  const signUp = async (prefix: string) => {
    const email = `${unique(prefix)}@example.com`;
    return person(await stack.signUp(email, prefix), email);
  };

  const admin = person(await stack.signIn(ADMIN.email, ADMIN.password), ADMIN.email);
  const organizer = person(await stack.signIn(ORGANIZER.email, ORGANIZER.password), ORGANIZER.email);
  const attendee = await signUp('attendee-a');
  const otherAttendee = await signUp('attendee-b');
  const o2 = await signUp('organizer-o2');
  const granted = await stack.call(
    `mutation($u: ID!) { grantRole(userId: $u, role: ORGANIZER) { id } }`,
    { u: o2.id },
    admin.token,
  );
  expect(granted.errors).toBeUndefined();
  // The role is in the next access token.
  const otherOrganizer = person(await stack.signIn(o2.email, PASSWORD), o2.email);
  const account = await signUp('sign-in');

  const key = await stack.call<{ createApiKey: { key: string } }>(
    `mutation($n: String!) { createApiKey(name: $n, rateLimitPerMinute: 100000) { key } }`,
    { n: 'matrix partner' },
    admin.token,
  );
  expect(key.errors).toBeUndefined();

  const { eventId, tierIds, venueId } = await createEvent(stack, organizer.token, {
    title: 'Matrix Night',
    // maxPerOrder caps the attendee's live holds on the tier too: the cases leave many.
    tiers: [{ name: 'General', priceCents: 2500, capacity: 1000, maxPerOrder: 100 }],
  });
  const tierId = tierIds[0]!;

  const newDraftEvent = async () => {
    const starts = new Date(Date.now() + 30 * 24 * 3_600_000);
    const res = await stack.call<{ createEvent: { id: string } }>(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }`,
      {
        i: {
          title: unique('Matrix draft'),
          description: 'Not announced yet',
          startsAt: starts.toISOString(),
          endsAt: new Date(starts.getTime() + 3_600_000).toISOString(),
          timezone: 'Europe/Berlin',
          categories: ['music'],
          venueId,
        },
      },
      organizer.token,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.createEvent.id;
  };

  const newReservation = async () => {
    const res = await stack.call<{ reserveTickets: { id: string } }>(
      `mutation($e: ID!, $t: ID!, $k: String!) {
        reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 1 }], idempotencyKey: $k) { id } }`,
      { e: eventId, t: tierId, k: unique('hold') },
      attendee.token,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.reserveTickets.id;
  };

  const newOrder = async () => {
    const order = await buy(stack, attendee.token, eventId, tierId);
    expect(order.status).toBe('CONFIRMED');
    return { id: order.id, code: order.tickets[0]!.code };
  };

  return {
    stack,
    sql: postgres(stack.databaseUrl, { max: 2, onnotice: () => {} }),
    people: { attendee, otherAttendee, otherOrganizer, organizer, admin },
    partnerKey: key.data!.createApiKey.key,
    venueId,
    eventId,
    tierId,
    draftEventId: await newDraftEvent(),
    order: await newOrder(),
    account: { id: account.id, email: account.email },
    unique,
    newUser: async () => (await signUp('target')).id,
    async newApiKey() {
      const res = await stack.call<{ createApiKey: { apiKey: { id: string } } }>(
        `mutation($n: String!) { createApiKey(name: $n) { apiKey { id } } }`,
        { n: unique('key') },
        admin.token,
      );
      expect(res.errors).toBeUndefined();
      return res.data!.createApiKey.apiKey.id;
    },
    newRefreshToken: async () => (await stack.signIn(account.email, PASSWORD)).refreshToken,
    newDraftEvent,
    async newPublishedEvent() {
      const id = await newDraftEvent();
      const res = await stack.call(
        `mutation($id: ID!) { publishEvent(id: $id) { id } }`,
        { id },
        organizer.token,
      );
      expect(res.errors).toBeUndefined();
      return id;
    },
    newReservation,
    newOrder,
  };
}
