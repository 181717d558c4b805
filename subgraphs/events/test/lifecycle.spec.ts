import { errorCodes, graphql } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANCEL_EVENT,
  CREATE_EVENT,
  CREATE_VENUE,
  eventInput,
  fixtures,
  inDays,
  PUBLISH_EVENT,
  startEvents,
  UPDATE_EVENT,
  venueInput,
  type EventView,
  type EventsHarness,
  type Person,
} from './harness.js';

let h: EventsHarness;
let f: ReturnType<typeof fixtures>;
let organizer: Person;
let otherOrganizer: Person;
let attendee: Person;
let admin: Person;
let venueId: string;

beforeAll(async () => {
  h = await startEvents();
  f = fixtures(h);
  organizer = await h.person('ATTENDEE', 'ORGANIZER');
  otherOrganizer = await h.person('ATTENDEE', 'ORGANIZER');
  attendee = await h.person('ATTENDEE');
  admin = await h.person('ATTENDEE', 'ADMIN');
  venueId = (await f.venue(organizer.token)).id;
});
afterAll(() => h.stop());

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('an organizer creates, publishes and cancels an event', () => {
  it('creates a venue and a DRAFT event organised by the caller, then publishes it', async () => {
    const venue = await h.ok<{ createVenue: Record<string, unknown> }>(
      CREATE_VENUE,
      { input: venueInput({ name: '  Tempodrom ', latitude: null, longitude: null }) },
      organizer.token,
    );
    expect(venue.createVenue).toMatchObject({ name: 'Tempodrom', latitude: null, longitude: null });
    const created = await f.event(organizer.token, venueId, {
      title: '  Ambient Evening  ',
      categories: [' Music ', 'music', 'AMBIENT'],
      timezone: 'europe/berlin',
      startsAt: '2030-05-01T21:30:00+02:00',
      endsAt: '2030-05-01T23:30:00+02:00',
    });
    expect(created).toMatchObject({
      title: 'Ambient Evening',
      categories: ['music', 'ambient'],
      timezone: 'Europe/Berlin',
      status: 'DRAFT',
      startsAt: '2030-05-01T19:30:00.000Z',
      endsAt: '2030-05-01T21:30:00.000Z',
      cancellationReason: null,
      venue: { id: venueId, name: 'Columbia Halle', city: 'Berlin' },
      organizer: { id: organizer.id },
    });
    const published = await h.ok<{ publishEvent: EventView }>(
      PUBLISH_EVENT,
      { id: created.id },
      organizer.token,
    );
    expect(published.publishEvent).toMatchObject({ id: created.id, status: 'PUBLISHED' });
    const cancelled = await h.ok<{ cancelEvent: EventView }>(
      CANCEL_EVENT,
      { id: created.id, reason: '  Artist fell ill ' },
      organizer.token,
    );
    expect(cancelled.cancelEvent).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Artist fell ill',
    });
  });

  it('accepts the edges of every range', async () => {
    const venue = await h.ok<{ createVenue: { capacity: number } }>(
      CREATE_VENUE,
      { input: venueInput({ capacity: 1_000_000, latitude: -90, longitude: 180 }) },
      organizer.token,
    );
    expect(venue.createVenue).toMatchObject({ capacity: 1_000_000, latitude: -90, longitude: 180 });
    await f.venue(organizer.token, { capacity: 1, latitude: 90, longitude: -180 });
    const edge = await f.event(organizer.token, venueId, {
      title: 'x'.repeat(200),
      description: 'd'.repeat(10_000),
      categories: Array.from({ length: 10 }, (_, i) => `c${i}-${'y'.repeat(45)}`),
      timezone: 'UTC',
    });
    expect(edge.categories).toHaveLength(10);
  });
});

describe('authorisation', () => {
  it('lets only ORGANIZERs and ADMINs create venues and events', async () => {
    const cases: [Person | undefined, string | undefined][] = [
      [undefined, 'UNAUTHENTICATED'],
      [attendee, 'FORBIDDEN'],
      [organizer, undefined],
      [admin, undefined],
    ];
    for (const [who, code] of cases) {
      const before = await h.rowCounts();
      const venue = await h.call(CREATE_VENUE, { input: venueInput() }, who?.token);
      const event = await h.call<{ createEvent: EventView }>(
        CREATE_EVENT,
        { input: eventInput(venueId) },
        who?.token,
      );
      expect(errorCodes(venue)).toEqual(code ? [code] : []);
      expect(errorCodes(event)).toEqual(code ? [code] : []);
      if (code) expect(await h.rowCounts()).toEqual(before);
      else expect(event.data!.createEvent.organizer.id).toBe(who!.id);
    }
  });

  it("lets only the event's organizer or an ADMIN update, publish and cancel it", async () => {
    const calls: [string, (id: string) => Record<string, unknown>][] = [
      [UPDATE_EVENT, (id) => ({ id, input: { title: 'Renamed' } })],
      [PUBLISH_EVENT, (id) => ({ id })],
      [CANCEL_EVENT, (id) => ({ id, reason: 'Changed plans' })],
    ];
    for (const [mutation, variables] of calls) {
      const event = await f.event(organizer.token, venueId);
      const refused: [Person | undefined, string][] = [
        [undefined, 'UNAUTHENTICATED'],
        [attendee, 'FORBIDDEN'],
        [otherOrganizer, 'FORBIDDEN'],
      ];
      const before = await h.rowCounts();
      for (const [who, code] of refused) {
        expect(errorCodes(await h.call(mutation, variables(event.id), who?.token))).toEqual([code]);
      }
      expect(await h.rowCounts()).toEqual(before);
      for (const id of [UNKNOWN_ID, 'nope']) {
        expect(errorCodes(await h.call(mutation, variables(id), organizer.token))).toEqual(['NOT_FOUND']);
      }
      expect(errorCodes(await h.call(mutation, variables(event.id), organizer.token))).toEqual([]);
      const byAdmin = await f.event(organizer.token, venueId);
      expect(errorCodes(await h.call(mutation, variables(byAdmin.id), admin.token))).toEqual([]);
    }
  });

  it('refuses the organizer once they no longer hold ORGANIZER', async () => {
    const event = await f.event(organizer.token, venueId);
    const demoted = await h.tokenFor(organizer.id, ['ATTENDEE']);
    const res = await h.call(PUBLISH_EVENT, { id: event.id }, demoted);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    // They still see their own draft.
    const seen = await h.ok<{ event: { id: string } | null }>(
      `query($id: ID!) { event(id: $id) { id } }`,
      { id: event.id },
      demoted,
    );
    expect(seen.event).toEqual({ id: event.id });
  });
});

describe('status machine', () => {
  it('publishes DRAFT once; publishing again returns it unchanged', async () => {
    const event = await f.event(organizer.token, venueId);
    await h.ok(PUBLISH_EVENT, { id: event.id }, organizer.token);
    const before = await h.rowCounts();
    const again = await h.ok<{ publishEvent: EventView }>(PUBLISH_EVENT, { id: event.id }, organizer.token);
    expect(again.publishEvent.status).toBe('PUBLISHED');
    expect(await h.rowCounts()).toEqual(before);
  });

  it('refuses to publish an event that already ended', async () => {
    const event = await f.event(organizer.token, venueId, { startsAt: inDays(-2), endsAt: inDays(-1) });
    const res = await h.call(PUBLISH_EVENT, { id: event.id }, organizer.token);
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('cancels DRAFT and PUBLISHED events once; a cancelled event is final', async () => {
    const draft = await f.event(organizer.token, venueId);
    const published = await f.published(organizer.token, venueId);
    for (const event of [draft, published]) {
      const done = await h.ok<{ cancelEvent: EventView }>(
        CANCEL_EVENT,
        { id: event.id, reason: 'Venue flooded' },
        organizer.token,
      );
      expect(done.cancelEvent).toMatchObject({ status: 'CANCELLED', cancellationReason: 'Venue flooded' });
      const before = await h.rowCounts();
      expect(errorCodes(await h.call(CANCEL_EVENT, { id: event.id, reason: 'Again' }, admin.token))).toEqual([
        'CONFLICT',
      ]);
      expect(errorCodes(await h.call(PUBLISH_EVENT, { id: event.id }, organizer.token))).toEqual([
        'CONFLICT',
      ]);
      expect(
        errorCodes(await h.call(UPDATE_EVENT, { id: event.id, input: { title: 'Back' } }, organizer.token)),
      ).toEqual(['CONFLICT']);
      expect(await h.rowCounts()).toEqual(before);
    }
  });
});

describe('concurrency', () => {
  it('gives exactly one of two concurrent cancels success and the other CONFLICT', async () => {
    for (let round = 0; round < 3; round++) {
      const event = await f.published(organizer.token, venueId);
      const results = await Promise.all([
        h.call(CANCEL_EVENT, { id: event.id, reason: 'first' }, organizer.token),
        h.call(CANCEL_EVENT, { id: event.id, reason: 'second' }, admin.token),
      ]);
      expect(results.map(errorCodes).flat()).toEqual(['CONFLICT']);
      const [row] = await h.sql`select version, status from events.events where id = ${event.id}`;
      expect(row).toEqual({ version: 3, status: 'CANCELLED' });
    }
  });

  it('serialises concurrent updates: every one bumps the version exactly once', async () => {
    const event = await f.event(organizer.token, venueId);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h.call(UPDATE_EVENT, { id: event.id, input: { title: `Take ${i}` } }, organizer.token),
      ),
    );
    expect(results.map(errorCodes).flat()).toEqual([]);
    const [row] = await h.sql`select version from events.events where id = ${event.id}`;
    expect(row!.version).toBe(9);
  });
});

describe('the walls', () => {
  it('refuses calls without the internal credential', async () => {
    const res = await graphql(
      h.url,
      `
        {
          events {
            totalCount
          }
        }
      `,
    );
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses forged tokens', async () => {
    const res = await h.call(CREATE_VENUE, { input: venueInput() }, 'not.a.token');
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });
});
