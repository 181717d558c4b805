import { randomUUID } from 'node:crypto';
import type { EventChanged } from '@marquee/bus';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, startRecommendations, type Harness } from './harness.js';

// One service for the file: each test keeps to its own cities and categories.
let h: Harness;
beforeAll(async () => {
  h = await startRecommendations();
});
afterAll(() => h.stop());

const SIMILAR = `query($r: [_Any!]!, $first: Int) {
  _entities(representations: $r) { ... on Event { id similarEvents(first: $first) { id } } }
}`;
async function similar(eventIds: string[], first?: number) {
  const res = await h.call<{ _entities: { id: string; similarEvents: { id: string }[] }[] }>(SIMILAR, {
    r: eventIds.map((id) => ({ __typename: 'Event', id })),
    ...(first === undefined ? {} : { first }),
  });
  expect(res.errors).toBeUndefined();
  return res.data!._entities.map((e) => e.similarEvents.map((s) => s.id));
}
async function trending(city?: string, first?: number) {
  const res = await h.call<{ trendingEvents: { id: string }[] }>(
    `query($city: String, $first: Int) { trendingEvents(city: $city, first: $first) { id } }`,
    { city, first },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.trendingEvents.map((e) => e.id);
}
const inDays = (days: number) => new Date(h.now.getTime() + days * DAY).toISOString();
const ago = (ms: number) => new Date(h.now.getTime() - ms);
/** Anonymous visitor i: each client's views of an event count once a day. */
const visitor = (i: number) => `198.51.100.${i + 1}`;

describe('similarEvents', () => {
  it('ranks shared categories first, then what buyers also bought; never itself or unpublished events', async () => {
    const organizerId = randomUUID();
    const source = await h.event({ categories: ['bluegrass', 'country'], city: 'Nashville', organizerId });
    const twin = await h.event({ categories: ['country', 'bluegrass'], city: 'Austin' });
    const cousin = await h.event({ categories: ['country'], city: 'Austin' });
    const coBought = await h.event({ categories: ['metal'], city: 'Oslo' });
    const sameOrganizer = await h.event({ categories: ['metal'], city: 'Oslo', organizerId });
    const draft = await h.event({ categories: ['bluegrass', 'country'], status: 'DRAFT' });
    const cancelled = await h.event({ categories: ['bluegrass', 'country'], status: 'CANCELLED' });
    const ended = await h.event({
      categories: ['bluegrass', 'country'],
      startsAt: ago(5 * HOUR).toISOString(),
      endsAt: ago(HOUR).toISOString(),
    });
    await h.event({ categories: ['metal'], city: 'Oslo' }); // unrelated: left out
    for (let i = 0; i < 3; i++) {
      const buyer = randomUUID();
      await h.buy(buyer, source.eventId);
      await h.buy(buyer, coBought.eventId);
    }

    const [got] = await similar([source.eventId], 10);
    expect(got).toEqual([twin.eventId, cousin.eventId, coBought.eventId, sameOrganizer.eventId]);
    for (const excluded of [source, draft, cancelled, ended]) expect(got).not.toContain(excluded.eventId);
    expect((await similar([source.eventId]))[0]).toHaveLength(4); // default 5, only 4 related
    expect((await similar([source.eventId], 2))[0]).toEqual([twin.eventId, cousin.eventId]);
  });

  it('answers for unknown and malformed ids with an empty list, and refuses a negative first', async () => {
    expect(await similar([randomUUID(), 'nope'])).toEqual([[], []]);
    const res = await h.call(SIMILAR, { r: [{ __typename: 'Event', id: randomUUID() }], first: -1 });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('loads similar events for many events in one statement', async () => {
    const events: EventChanged[] = [];
    for (let i = 0; i < 12; i++)
      events.push(await h.event({ categories: ['chanson', `c${i % 3}`], city: 'Lyon' }));
    const statements = await h.statementsDuring(async () => {
      const lists = await similar(events.map((e) => e.eventId));
      expect(lists.every((list, i) => list.length === 5 && !list.includes(events[i]!.eventId))).toBe(true);
    });
    expect(statements).toHaveLength(1);
    // Trending events with their similar events: two statements for the whole page.
    const page = await h.statementsDuring(async () => {
      const res = await h.call(`{ trendingEvents(city: "lyon", first: 12) { id similarEvents { id } } }`);
      expect(res.errors).toBeUndefined();
    });
    expect(page).toHaveLength(2);
  });
});

describe('trendingEvents', () => {
  it('ranks by views and sales of the last week, recent ones counting more, in the city asked for', async () => {
    const older = await h.event({ city: 'Porto' });
    const fresh = await h.event({ city: 'Porto' });
    const sold = await h.event({ city: 'PORTO' });
    const stale = await h.event({ city: 'Porto', startsAt: inDays(1) });
    const elsewhere = await h.event({ city: 'Lisbon' });
    for (let i = 0; i < 3; i++) await h.view(older.eventId, undefined, ago(3 * DAY), visitor(i)); // 3 x 0.35
    for (let i = 0; i < 2; i++) await h.view(fresh.eventId, undefined, undefined, visitor(i)); // 2 x 1, anonymous views count here
    await h.buy(randomUUID(), sold.eventId, ago(2 * DAY)); // 3 x 0.5
    for (let i = 0; i < 9; i++) await h.view(stale.eventId, undefined, ago(8 * DAY), visitor(i)); // out of the window
    for (let i = 0; i < 9; i++) await h.view(elsewhere.eventId, undefined, undefined, visitor(i));

    expect(await trending('porto')).toEqual([fresh.eventId, sold.eventId, older.eventId, stale.eventId]);
    expect(await trending('  Porto ', 2)).toEqual([fresh.eventId, sold.eventId]);
    expect(await trending('Lisbon')).toEqual([elsewhere.eventId]);
  });

  it('counts a signed-in user and an anonymous client once a day per event (reloads do not inflate it)', async () => {
    const city = 'Tartu';
    const reloaded = await h.event({ city, startsAt: inDays(5) });
    const twice = await h.event({ city, startsAt: inDays(6) });
    const fan = await h.user();
    for (let i = 0; i < 8; i++) await h.view(reloaded.eventId, fan.token); // 1
    await h.view(twice.eventId, (await h.user()).token); // 1
    for (let i = 0; i < 5; i++) await h.view(twice.eventId, undefined, undefined, visitor(1)); // + 1 anonymous
    expect(await trending(city)).toEqual([twice.eventId, reloaded.eventId]);
  });

  it('fills up with the soonest upcoming events, and leaves out what is not PUBLISHED or has ended', async () => {
    const city = 'Bergen';
    const later = await h.event({ city, startsAt: inDays(20) });
    const soon = await h.event({ city, startsAt: inDays(2) });
    const hot = await h.event({ city, startsAt: inDays(30) });
    const draft = await h.event({ city, status: 'DRAFT', startsAt: inDays(1) });
    const ended = await h.event({
      city,
      startsAt: ago(5 * HOUR).toISOString(),
      endsAt: ago(HOUR).toISOString(),
    });
    await h.view(hot.eventId);
    // Hot too, were they not left out (bought: views of them are refused).
    for (const e of [draft, ended]) await h.buy(randomUUID(), e.eventId);
    expect(await trending(city)).toEqual([hot.eventId, soon.eventId, later.eventId]);
    expect(await trending('Atlantis')).toEqual([]);
  });

  it('honours first: default 10, capped at 50, negative is BAD_USER_INPUT', async () => {
    for (let i = 0; i < 51; i++) await h.event({ city: 'Tromso' });
    expect(await trending('Tromso')).toHaveLength(10);
    expect(await trending('Tromso', 0)).toEqual([]);
    expect((await trending(undefined, 500)).length).toBe(50);
    const res = await h.call(`{ trendingEvents(first: -1) { id } }`);
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });
});
