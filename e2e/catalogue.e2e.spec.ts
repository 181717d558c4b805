import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from './fixtures.js';
import { ATTENDEE, ORGANIZER, startTestStack, type TestStack } from './harness.js';

let stack: TestStack;
let organizer: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startTestStack();
  organizer = (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token;
  ids.jazzBerlin = (
    await createEvent(stack, organizer, {
      title: 'Midnight Jazz Quartet',
      categories: ['jazz'],
      startsInHours: 48,
    })
  ).eventId;
  ids.rockLisbon = (
    await createEvent(stack, organizer, {
      title: 'Rock the River',
      categories: ['rock'],
      city: 'Lisbon',
      latitude: 38.72,
      longitude: -9.14,
      startsInHours: 72,
    })
  ).eventId;
  ids.techPotsdam = (
    await createEvent(stack, organizer, {
      title: 'GraphQL Day',
      description: 'Federation talks',
      categories: ['tech'],
      city: 'Potsdam',
      latitude: 52.39,
      longitude: 13.06,
      startsInHours: 96,
    })
  ).eventId;
  ids.draft = (
    await createEvent(stack, organizer, { title: 'Secret Draft Jazz', categories: ['jazz'], publish: false })
  ).eventId;
  await stack.settle();
});
afterAll(() => stack?.stop());

const EVENTS = `query($f: EventFilter, $first: Int, $after: String) {
  events(filter: $f, first: $first, after: $after) { totalCount edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }`;
type Page = {
  events: {
    totalCount: number;
    edges: { node: { id: string; title: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};
const titles = (res: { data?: Page | null }) => res.data!.events.edges.map((e) => e.node.title);

describe('browsing the catalogue anonymously', () => {
  it('lists only PUBLISHED events, soonest first', async () => {
    const res = await stack.call<Page>(EVENTS, { first: 10 });
    expect(titles(res)).toEqual(['Midnight Jazz Quartet', 'Rock the River', 'GraphQL Day']);
    expect(res.data!.events.totalCount).toBe(3);
  });

  it('filters by search, category, city, dates and distance', async () => {
    expect(titles(await stack.call<Page>(EVENTS, { f: { search: 'federation' } }))).toEqual(['GraphQL Day']);
    expect(titles(await stack.call<Page>(EVENTS, { f: { category: 'JAZZ' } }))).toEqual([
      'Midnight Jazz Quartet',
    ]);
    expect(titles(await stack.call<Page>(EVENTS, { f: { city: 'lisbon' } }))).toEqual(['Rock the River']);
    const after = new Date(Date.now() + 60 * 3_600_000).toISOString();
    const before = new Date(Date.now() + 80 * 3_600_000).toISOString();
    expect(
      titles(await stack.call<Page>(EVENTS, { f: { startsAfter: after, startsBefore: before } })),
    ).toEqual(['Rock the River']);
    // Potsdam is ~27 km from Berlin's centre.
    const near = (radiusKm: number) => ({ f: { near: { latitude: 52.52, longitude: 13.405, radiusKm } } });
    expect(titles(await stack.call<Page>(EVENTS, near(10)))).toEqual(['Midnight Jazz Quartet']);
    expect(titles(await stack.call<Page>(EVENTS, near(40)))).toEqual([
      'Midnight Jazz Quartet',
      'GraphQL Day',
    ]);
  });

  it('walks cursor pages without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: { data?: Page | null } = await stack.call<Page>(EVENTS, { first: 1, after });
      seen.push(...titles(res));
      if (!res.data!.events.pageInfo.hasNextPage) break;
      after = res.data!.events.pageInfo.endCursor;
    }
    expect(seen).toEqual(['Midnight Jazz Quartet', 'Rock the River', 'GraphQL Day']);
  });

  it('rejects malformed cursors and bad filters cleanly', async () => {
    for (const variables of [
      { after: 'not-a-cursor' },
      { first: -1 },
      { f: { near: { latitude: 99, longitude: 0, radiusKm: 5 } } },
    ]) {
      const res = await stack.call(EVENTS, variables);
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(res)).not.toMatch(/stack|select /i);
    }
  });

  it('hides DRAFT events from everyone but their organizer', async () => {
    const q = `query($id: ID!) { event(id: $id) { id status } }`;
    expect((await stack.call(q, { id: ids.draft })).data).toEqual({ event: null });
    const attendee = await stack.signIn(ATTENDEE.email, ATTENDEE.password);
    expect((await stack.call(q, { id: ids.draft }, attendee.token)).data).toEqual({ event: null });
    expect((await stack.call(q, { id: ids.draft }, organizer)).data).toEqual({
      event: { id: ids.draft, status: 'DRAFT' },
    });
    expect((await stack.call(q, { id: 'garbage' })).data).toEqual({ event: null });
  });
});

describe('organizer rules through the gateway', () => {
  it('refuses event creation to attendees and anonymous callers', async () => {
    const attendee = await stack.signIn(ATTENDEE.email, ATTENDEE.password);
    const q = `mutation($i: CreateVenueInput!) { createVenue(input: $i) { id } }`;
    const input = { i: { name: 'X', address: 'Y', city: 'Z', country: 'DE', capacity: 10 } };
    expect(errorCodes(await stack.call(q, input, attendee.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await stack.call(q, input))).toEqual(['UNAUTHENTICATED']);
    const publish = `mutation($id: ID!) { publishEvent(id: $id) { id } }`;
    expect(errorCodes(await stack.call(publish, { id: ids.draft }, attendee.token))).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await stack.call(publish, { id: '00000000-0000-4000-8000-000000000000' }, organizer)),
    ).toEqual(['NOT_FOUND']);
  });
});

describe('federation', () => {
  it('answers one query that crosses all four subgraphs', async () => {
    const attendee = await stack.signIn(ATTENDEE.email, ATTENDEE.password);
    const res = await stack.call<{
      event: {
        title: string;
        organizer: { name: string };
        venue: { city: string };
        ticketTiers: { name: string }[];
        availability: { status: string; available: number };
        similarEvents: { id: string }[];
      };
      me: { name: string; recommendedEvents: { event: { title: string } }[]; orders: { totalCount: number } };
    }>(
      `query($id: ID!) {
        event(id: $id) {
          title venue { city } organizer { name organizedEvents(first: 5) { totalCount } }
          ticketTiers { name priceCents currency available } availability { status available capacity }
          similarEvents { id title }
        }
        me { name recommendedEvents(first: 3) { score reasons event { title } } orders { totalCount } }
      }`,
      { id: ids.jazzBerlin },
      attendee.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.event).toMatchObject({
      title: 'Midnight Jazz Quartet',
      venue: { city: 'Berlin' },
      organizer: { name: 'Olga Organizer' },
      ticketTiers: [{ name: 'General' }],
      availability: { status: 'ON_SALE', available: 100 },
    });
    expect(res.data!.me.name).toBe('Arne Attendee');
    expect(res.data!.me.recommendedEvents.length).toBeGreaterThan(0);
  });

  it('serves a 20-event catalogue with a bounded number of SQL statements per subgraph', async () => {
    for (let i = 0; i < 17; i++)
      await createEvent(stack, organizer, { title: `Filler ${i}`, startsInHours: 200 + i });
    await stack.settle();
    stack.statements.clear();
    const res = await stack.call<{ events: { edges: unknown[] } }>(
      `{ events(first: 20) { edges { node { id title venue { name city } organizer { id name }
          ticketTiers { id name available } availability { status available } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.events.edges).toHaveLength(20);
    const counts = Object.fromEntries([...stack.statements].map(([service, list]) => [service, list.length]));
    // One list query + one batched venue load; one user batch; tiers and availability batched.
    expect(counts.events ?? 0).toBeLessThanOrEqual(3);
    expect(counts.users ?? 0).toBeLessThanOrEqual(1);
    expect(counts.tickets ?? 0).toBeLessThanOrEqual(4);
  });
});
