import { EventCancelled, EventChanged, EventRescheduled, Topics, type BusMessage } from '@marquee/bus';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CANCEL_EVENT,
  fixtures,
  PUBLISH_EVENT,
  startEvents,
  UPDATE_EVENT,
  type EventsHarness,
  type Person,
} from './harness.js';

let h: EventsHarness;
let f: ReturnType<typeof fixtures>;
let organizer: Person;
let changed: BusMessage[];
let cancelled: BusMessage[];
let rescheduled: BusMessage[];

beforeAll(async () => {
  h = await startEvents();
  f = fixtures(h);
  organizer = await h.person('ORGANIZER');
  changed = await h.recordTopic(Topics.eventChanged);
  cancelled = await h.recordTopic(Topics.eventCancelled);
  rescheduled = await h.recordTopic(Topics.eventRescheduled);
});
afterAll(() => h.stop());
beforeEach(async () => {
  await h.settle();
  for (const list of [changed, cancelled, rescheduled]) list.length = 0;
});

const forEvent = (messages: BusMessage[], id: string) =>
  messages.filter((m) => (m.payload as { eventId: string }).eventId === id);

describe('domain events', () => {
  it('announces every change with a full snapshot and an increasing version', async () => {
    const venue = await f.venue(organizer.token, { city: 'Leipzig', latitude: 51.34, longitude: 12.37 });
    const event = await f.event(organizer.token, venue.id, {
      title: 'Bach Night',
      categories: ['Classical'],
      startsAt: '2031-06-01T18:00:00Z',
      endsAt: '2031-06-01T21:00:00Z',
      timezone: 'Europe/Berlin',
    });
    const t = organizer.token;
    await h.ok(UPDATE_EVENT, { id: event.id, input: { title: 'Bach & Friends' } }, t);
    await h.ok(
      UPDATE_EVENT,
      { id: event.id, input: { startsAt: '2031-06-02T18:00:00Z', endsAt: '2031-06-02T21:30:00Z' } },
      t,
    );
    await h.ok(PUBLISH_EVENT, { id: event.id }, t);
    await h.ok(PUBLISH_EVENT, { id: event.id }, t); // unchanged: no message
    await h.ok(CANCEL_EVENT, { id: event.id, reason: 'Organ broke' }, t);
    await h.settle();

    const snapshots = forEvent(changed, event.id).map((m) => EventChanged.parse(m.payload));
    expect(snapshots.map((s) => [s.version, s.status, s.title])).toEqual([
      [1, 'DRAFT', 'Bach Night'],
      [2, 'DRAFT', 'Bach & Friends'],
      [3, 'DRAFT', 'Bach & Friends'],
      [4, 'PUBLISHED', 'Bach & Friends'],
      [5, 'CANCELLED', 'Bach & Friends'],
    ]);
    expect(snapshots[4]).toEqual({
      eventId: event.id,
      version: 5,
      organizerId: organizer.id,
      status: 'CANCELLED',
      title: 'Bach & Friends',
      categories: ['classical'],
      startsAt: '2031-06-02T18:00:00.000Z',
      endsAt: '2031-06-02T21:30:00.000Z',
      timezone: 'Europe/Berlin',
      venue: {
        id: venue.id,
        name: 'Columbia Halle',
        city: 'Leipzig',
        country: 'DE',
        latitude: 51.34,
        longitude: 12.37,
      },
    });
    expect(forEvent(rescheduled, event.id).map((m) => EventRescheduled.parse(m.payload))).toEqual([
      {
        eventId: event.id,
        title: 'Bach & Friends',
        startsAt: '2031-06-02T18:00:00.000Z',
        endsAt: '2031-06-02T21:30:00.000Z',
        previousStartsAt: '2031-06-01T18:00:00.000Z',
        previousEndsAt: '2031-06-01T21:00:00.000Z',
      },
    ]);
    expect(forEvent(cancelled, event.id).map((m) => EventCancelled.parse(m.payload))).toEqual([
      { eventId: event.id, organizerId: organizer.id, reason: 'Organ broke' },
    ]);
    const ids = [...changed, ...cancelled, ...rescheduled].map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^events:\d+$/.test(id))).toBe(true);
    const [pending] = await h.sql`select count(*)::int as n from events.outbox where published_at is null`;
    expect(pending!.n).toBe(0);
  });

  it('announces nothing for refused changes', async () => {
    const venue = await f.venue(organizer.token);
    const event = await f.event(organizer.token, venue.id);
    await h.settle();
    changed.length = 0;
    const intruder = await h.person('ORGANIZER');
    expect(
      errorCodes(await h.call(UPDATE_EVENT, { id: event.id, input: { title: '' } }, organizer.token)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await h.call(UPDATE_EVENT, { id: event.id, input: { title: 'Mine' } }, intruder.token)),
    ).toEqual(['FORBIDDEN']);
    expect(errorCodes(await h.call(CANCEL_EVENT, { id: event.id, reason: '' }, organizer.token))).toEqual([
      'BAD_USER_INPUT',
    ]);
    await h.settle();
    expect(changed).toEqual([]);
    expect(cancelled).toEqual([]);
  });

  it('keeps versions increasing in delivery order under concurrent changes', async () => {
    const venue = await f.venue(organizer.token);
    const event = await f.event(organizer.token, venue.id);
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) =>
        h.call(UPDATE_EVENT, { id: event.id, input: { title: `Version ${i}` } }, organizer.token),
      ),
      h.call(PUBLISH_EVENT, { id: event.id }, organizer.token),
    ]);
    await h.settle();
    const versions = forEvent(changed, event.id).map((m) => EventChanged.parse(m.payload).version);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
