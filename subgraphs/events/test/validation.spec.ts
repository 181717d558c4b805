import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANCEL_EVENT,
  CREATE_EVENT,
  CREATE_VENUE,
  eventInput,
  fixtures,
  inDays,
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
let venueId: string;

beforeAll(async () => {
  h = await startEvents();
  f = fixtures(h);
  organizer = await h.person('ATTENDEE', 'ORGANIZER');
  venueId = (await f.venue(organizer.token)).id;
});
afterAll(() => h.stop());

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('validation', () => {
  const badEvents: [string, Record<string, unknown>][] = [
    ['title', { title: '' }],
    ['title', { title: '    ' }],
    ['title', { title: 'x'.repeat(201) }],
    ['description', { description: 'd'.repeat(10_001) }],
    ['endsAt', { startsAt: '2031-01-01T20:00:00Z', endsAt: '2031-01-01T21:00:00+01:00' }],
    ['endsAt', { startsAt: inDays(10), endsAt: inDays(9) }],
    ['timezone', { timezone: 'Mars/Olympus_Mons' }],
    ['timezone', { timezone: '+01:00' }],
    ['timezone', { timezone: '' }],
    ['categories', { categories: [] }],
    ['categories', { categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }],
    ['categories', { categories: ['music', ''] }],
    ['categories', { categories: ['   '] }],
    ['categories', { categories: ['x'.repeat(51)] }],
  ];

  it.each(badEvents)(
    'refuses a bad event (%s) with BAD_USER_INPUT and writes nothing',
    async (field, bad) => {
      const before = await h.rowCounts();
      const res = await h.call(CREATE_EVENT, { input: eventInput(venueId, bad) }, organizer.token);
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe(field);
      expect(JSON.stringify(res)).not.toMatch(/stack|select|insert/i);
      expect(await h.rowCounts()).toEqual(before);
    },
  );

  it('refuses an unknown or malformed venue with NOT_FOUND', async () => {
    const before = await h.rowCounts();
    for (const id of [UNKNOWN_ID, 'not-a-venue']) {
      const res = await h.call(CREATE_EVENT, { input: eventInput(id) }, organizer.token);
      expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    }
    expect(await h.rowCounts()).toEqual(before);
  });

  const badVenues: [string, Record<string, unknown>][] = [
    ['name', { name: '  ' }],
    ['address', { address: '' }],
    ['city', { city: ' ' }],
    ['country', { country: '' }],
    ['capacity', { capacity: 0 }],
    ['capacity', { capacity: 1_000_001 }],
    ['latitude', { latitude: 90.5 }],
    ['latitude', { latitude: -91 }],
    ['longitude', { longitude: 180.01 }],
    ['longitude', { longitude: -181 }],
    ['longitude', { latitude: 52.5, longitude: null }],
    ['latitude', { latitude: null, longitude: 13.4 }],
  ];

  it.each(badVenues)(
    'refuses a bad venue (%s) with BAD_USER_INPUT and writes nothing',
    async (field, bad) => {
      const before = await h.rowCounts();
      const res = await h.call(CREATE_VENUE, { input: venueInput(bad) }, organizer.token);
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe(field);
      expect(await h.rowCounts()).toEqual(before);
    },
  );

  it('checks updates and cancellation reasons the same way, and writes nothing', async () => {
    const event = await f.event(organizer.token, venueId, { startsAt: inDays(40), endsAt: inDays(41) });
    const badUpdates: [string, Record<string, unknown>][] = [
      ['title', { title: ' ' }],
      ['description', { description: 'd'.repeat(10_001) }],
      ['endsAt', { startsAt: inDays(42) }],
      ['endsAt', { endsAt: inDays(39) }],
      ['timezone', { timezone: 'Nowhere/Special' }],
      ['categories', { categories: [] }],
    ];
    const before = await h.rowCounts();
    for (const [field, input] of badUpdates) {
      const res = await h.call(UPDATE_EVENT, { id: event.id, input }, organizer.token);
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe(field);
    }
    for (const reason of ['', '   ', 'r'.repeat(501)]) {
      const res = await h.call(CANCEL_EVENT, { id: event.id, reason }, organizer.token);
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.extensions!.field).toBe('reason');
    }
    expect(await h.rowCounts()).toEqual(before);
    const moved = await h.ok<{ updateEvent: EventView }>(
      UPDATE_EVENT,
      { id: event.id, input: { startsAt: inDays(39), title: null, categories: ['Jazz', 'JAZZ '] } },
      organizer.token,
    );
    expect(moved.updateEvent).toMatchObject({ title: event.title, categories: ['jazz'] });
  });
});
