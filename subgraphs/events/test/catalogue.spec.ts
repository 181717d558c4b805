import { encodeCursor } from '@marquee/subgraph-kit';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haversineKm } from '../src/events/geo.js';
import {
  CANCEL_EVENT,
  fixtures,
  inDays,
  startEvents,
  UPDATE_EVENT,
  type EventsHarness,
  type Person,
} from './harness.js';

let h: EventsHarness;
let f: ReturnType<typeof fixtures>;
let organizer: Person;
const names = new Map<string, string>();

const BERLIN = { latitude: 52.52, longitude: 13.405 };
const POTSDAM = { latitude: 52.3906, longitude: 13.0645 };
const HAMBURG = { latitude: 53.5511, longitude: 9.9937 };
const potsdamKm = haversineKm(BERLIN.latitude, BERLIN.longitude, POTSDAM.latitude, POTSDAM.longitude);

beforeAll(async () => {
  h = await startEvents();
  f = fixtures(h);
  organizer = await h.person('ORGANIZER');
  const t = organizer.token;
  const venue = async (city: string, coords: object) => (await f.venue(t, { city, ...coords })).id;
  const arena = await venue('Berlin', BERLIN);
  const hall = await venue('berlin', { latitude: null, longitude: null });
  const potsdam = await venue('Potsdam', POTSDAM);
  const hamburg = await venue('Hamburg', HAMBURG);
  const munich = await venue('München', { latitude: 48.1351, longitude: 11.582 });
  // Either side of the antimeridian (Fiji).
  const taveuni = await venue('Taveuni', { latitude: -16.8, longitude: 179.95 });
  const farIsland = await venue('Labasa', { latitude: -16.8, longitude: 179.0 });
  const at = (days: number) => ({ startsAt: inDays(days), endsAt: inDays(days + 0.2) });
  const add = async (
    name: string,
    venueId: string,
    days: number,
    categories: string[],
    title: string,
    description: string,
    publish = true,
  ) => {
    const input = { ...at(days), categories, title, description };
    const event = publish ? await f.published(t, venueId, input) : await f.event(t, venueId, input);
    names.set(event.id, name);
    return event;
  };
  await add('python', hall, 5, ['Tech'], 'Python Meetup', 'Talks about typing and testing');
  await add('techno', arena, 10, ['Music', 'Electronic'], 'Techno Marathon', 'Twelve hours of beats');
  await add('jazz', potsdam, 12, ['Music', 'Jazz'], 'Jazz Brunch by the Lake', 'Smooth tunes and pancakes');
  await add('harbour', hamburg, 14, ['Food'], 'Harbour Food Festival', 'Street food from forty stalls');
  await add('wiesn', munich, 20, ['Food', 'Beer'], 'Oktoberfest Warm-up', 'Brass bands and pretzels');
  await add('reef', taveuni, 25, ['Outdoor'], 'Reef Snorkel Day', 'Corals and turtles');
  await add('hike', farIsland, 26, ['Outdoor'], 'Island Hike', 'Up the ridge');
  await add('draft', arena, 7, ['Music'], 'Secret Techno Rave', 'Not announced yet', false);
  const cancelled = await add('cancelled', arena, 8, ['Music'], 'Techno Cancelled', 'Called off');
  await h.ok(CANCEL_EVENT, { id: cancelled.id, reason: 'No permit' }, t);
  const ended = await add('ended', arena, 3, ['Music'], 'Techno Yesterday', 'Already over');
  await h.ok(UPDATE_EVENT, { id: ended.id, input: { startsAt: inDays(-1), endsAt: inDays(-0.5) } }, t);
});
afterAll(() => h.stop());

const EVENTS = `query($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    totalCount edges { cursor node { id startsAt } } pageInfo { hasNextPage endCursor } } }`;
type Page = {
  events: {
    totalCount: number;
    edges: { cursor: string; node: { id: string; startsAt: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

/** The names of the events a filter finds, in the order returned; checks totalCount agrees. */
async function find(filter: Record<string, unknown> | null = null): Promise<string[]> {
  const { events } = await h.ok<Page>(EVENTS, { filter, first: 100 });
  expect(events.totalCount).toBe(events.edges.length);
  return events.edges.map((e) => names.get(e.node.id) ?? 'unknown');
}

const UPCOMING = ['python', 'techno', 'jazz', 'harbour', 'wiesn', 'reef', 'hike'];

describe('events()', () => {
  it('lists PUBLISHED events that have not ended, soonest first', async () => {
    expect(await find()).toEqual(UPCOMING);
  });

  it('searches title and description with full-text search', async () => {
    expect(await find({ search: 'techno' })).toEqual(['techno']);
    expect(await find({ search: 'pancakes' })).toEqual(['jazz']);
    expect(await find({ search: 'festivals' })).toEqual(['harbour']); // stemmed
    expect(await find({ search: '"street food"' })).toEqual(['harbour']);
    expect(await find({ search: 'jazz or techno' })).toEqual(['techno', 'jazz']);
    expect(await find({ search: 'food -street' })).toEqual([]);
    expect(await find({ search: '   ' })).toEqual(UPCOMING);
  });

  it('filters by category, case-insensitively, against any of the categories', async () => {
    expect(await find({ category: 'MUSIC' })).toEqual(['techno', 'jazz']);
    expect(await find({ category: ' food ' })).toEqual(['harbour', 'wiesn']);
    expect(await find({ category: 'beer' })).toEqual(['wiesn']);
    expect(await find({ category: 'opera' })).toEqual([]);
  });

  it("filters by the venue's city, case-insensitively", async () => {
    expect(await find({ city: 'BERLIN' })).toEqual(['python', 'techno']);
    expect(await find({ city: 'münchen' })).toEqual(['wiesn']);
    expect(await find({ city: 'Paris' })).toEqual([]);
  });

  it('filters by start time', async () => {
    expect(await find({ startsAfter: inDays(11), startsBefore: inDays(15) })).toEqual(['jazz', 'harbour']);
    expect(await find({ startsBefore: inDays(11) })).toEqual(['python', 'techno']);
    expect(await find({ startsAfter: inDays(21) })).toEqual(['reef', 'hike']);
    // An explicit lower bound replaces "not ended yet": past events can be browsed on purpose.
    expect(await find({ startsAfter: inDays(-2), startsBefore: inDays(6) })).toEqual(['ended', 'python']);
  });

  it('filters by distance, exactly at the edge of the radius', async () => {
    expect(await find({ near: { ...BERLIN, radiusKm: potsdamKm + 0.5 } })).toEqual(['techno', 'jazz']);
    expect(await find({ near: { ...BERLIN, radiusKm: potsdamKm - 0.5 } })).toEqual(['techno']);
    expect(await find({ near: { ...HAMBURG, radiusKm: 1 } })).toEqual(['harbour']);
    expect(await find({ near: { ...BERLIN, radiusKm: 20_000 } })).toEqual(
      UPCOMING.filter((n) => n !== 'python'),
    );
  });

  it('finds venues across the antimeridian', async () => {
    expect(await find({ near: { latitude: -16.8, longitude: -179.95, radiusKm: 20 } })).toEqual(['reef']);
    expect(await find({ near: { latitude: -16.8, longitude: -179.95, radiusKm: 150 } })).toEqual([
      'reef',
      'hike',
    ]);
  });

  it('combines filters with AND', async () => {
    expect(await find({ category: 'music', city: 'berlin' })).toEqual(['techno']);
    expect(await find({ category: 'food', near: { ...HAMBURG, radiusKm: 50 } })).toEqual(['harbour']);
    expect(await find({ search: 'jazz or techno', startsAfter: inDays(11) })).toEqual(['jazz']);
    expect(
      await find({ search: 'techno', category: 'electronic', city: 'Berlin', startsBefore: inDays(11) }),
    ).toEqual(['techno']);
    expect(await find({ search: 'techno', city: 'Potsdam' })).toEqual([]);
  });

  it('refuses out-of-range geo filters and overlong text', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ near: { ...BERLIN, radiusKm: 0 } }, 'near.radiusKm'],
      [{ near: { ...BERLIN, radiusKm: -3 } }, 'near.radiusKm'],
      [{ near: { ...BERLIN, radiusKm: 20_000.5 } }, 'near.radiusKm'],
      [{ near: { latitude: 91, longitude: 0, radiusKm: 5 } }, 'near.latitude'],
      [{ near: { latitude: 0, longitude: -181, radiusKm: 5 } }, 'near.longitude'],
      [{ search: 's'.repeat(201) }, 'search'],
    ];
    for (const [filter, field] of bad) {
      const res = await h.call(EVENTS, { filter });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe(field);
    }
  });
});

describe('cursor pages', () => {
  it('walk the whole list without duplicates or gaps, ties broken by id', async () => {
    // Events starting at the same instant: only the id orders them.
    const venueId = (await f.venue(organizer.token)).id;
    const same = { startsAt: '2031-03-01T18:00:00Z', endsAt: '2031-03-01T22:00:00Z' };
    for (let i = 0; i < 12; i++) await f.published(organizer.token, venueId, { ...same, title: `Twin ${i}` });
    const all = (await h.ok<Page>(EVENTS, { first: 100 })).events;
    expect(all.totalCount).toBe(UPCOMING.length + 12);
    const walked: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const { events }: Page = await h.ok<Page>(EVENTS, { first: 5, after });
      expect(events.totalCount).toBe(all.totalCount);
      expect(events.edges.length).toBeLessThanOrEqual(5);
      walked.push(...events.edges.map((e) => e.node.id));
      if (!events.pageInfo.hasNextPage) break;
      expect(events.pageInfo.endCursor).toBe(events.edges.at(-1)!.cursor);
      after = events.pageInfo.endCursor;
    }
    expect(walked).toEqual(all.edges.map((e) => e.node.id));
    expect(new Set(walked).size).toBe(walked.length);
  });

  it('caps first at 100, allows 0, refuses negative first and malformed cursors', async () => {
    const [row] = await h.sql`select id from events.venues limit 1`;
    await h.sql`insert into events.events
        (organizer_id, venue_id, title, description, starts_at, ends_at, timezone, categories, status)
      select gen_random_uuid(), ${row!.id}, 'Bulk ' || g, 'bulk', now() + interval '200 days' + g * interval '1 second',
        now() + interval '201 days', 'UTC', array['bulk'], 'PUBLISHED'
      from generate_series(1, 110) g`;
    const capped = (await h.ok<Page>(EVENTS, { first: 500 })).events;
    expect(capped.edges).toHaveLength(100);
    expect(capped.pageInfo.hasNextPage).toBe(true);
    const rest = (await h.ok<Page>(EVENTS, { first: 100, after: capped.pageInfo.endCursor })).events;
    expect(capped.totalCount).toBe(capped.edges.length + rest.edges.length);
    expect(new Set([...capped.edges, ...rest.edges].map((e) => e.node.id)).size).toBe(capped.totalCount);
    const none = (await h.ok<Page>(EVENTS, { first: 0 })).events;
    expect(none).toMatchObject({ edges: [], pageInfo: { hasNextPage: true, endCursor: null } });
    expect(errorCodes(await h.call(EVENTS, { first: -1 }))).toEqual(['BAD_USER_INPUT']);
    for (const after of [
      'garbage',
      encodeCursor({ s: '2030-01-01', i: '00000000-0000-4000-8000-000000000000' }),
      encodeCursor({ s: '2030-01-01T00:00:00.000Z', i: "'; drop table events.events; --" }),
      encodeCursor(['2030-01-01T00:00:00.000Z']),
      'x'.repeat(600),
    ]) {
      const res = await h.call(EVENTS, { after });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe('after');
    }
  });
});
