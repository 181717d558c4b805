import { randomUUID } from 'node:crypto';
import { Topics, type BusMessage } from '@marquee/bus';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, startRecommendations, type Harness } from './harness.js';

// recordEventView against greedy and hostile callers: one service for the file, an event per test.
let h: Harness;
let db: postgres.Sql;
const announced: BusMessage[] = [];
beforeAll(async () => {
  h = await startRecommendations();
  db = postgres(h.databaseUrl, { max: 1, onnotice: () => {} });
  await h.bus.subscribe(Topics.eventViewed, 'test-listener', async (message) => {
    announced.push(message);
  });
});
afterAll(async () => {
  await db.end();
  await h.stop();
});

const RECORD = `mutation($id: ID!) { recordEventView(eventId: $id) }`;
const rows = (eventId: string) =>
  db`select user_id, client_key, to_char(view_day, 'YYYY-MM-DD') as day
    from recommendations.interactions where event_id = ${eventId} order by id`;
/** The event's decayed trend counter as stored (views at one instant: exactly how many counted). */
const trend = async (eventId: string) =>
  Number(
    (await db`select trend from recommendations.event_activity where event_id = ${eventId}`)[0]?.trend ?? 0,
  );
const announcementsOf = async (eventId: string) => {
  await h.settle();
  return announced.filter((m) => (m.payload as { eventId: string }).eventId === eventId).length;
};

describe('anonymous views', () => {
  it('count once per client, event and UTC day; only the first moves the counters', async () => {
    const event = await h.event();
    for (let i = 0; i < 5; i++) await h.view(event.eventId, undefined, undefined, '203.0.113.7');
    expect(await rows(event.eventId)).toHaveLength(1);
    expect(await trend(event.eventId)).toBe(1);
    expect(await announcementsOf(event.eventId)).toBe(1);

    await h.view(event.eventId, undefined, undefined, '203.0.113.8'); // another client
    await h.view(event.eventId, undefined, undefined, '2001:db8::1');
    expect(await rows(event.eventId)).toHaveLength(3);
    expect(await trend(event.eventId)).toBe(3);

    const tomorrow = new Date(h.now.getTime() + DAY);
    await h.view(event.eventId, undefined, tomorrow, '203.0.113.7'); // the same client, the next day
    await h.view(event.eventId, undefined, tomorrow, '203.0.113.7');
    expect((await rows(event.eventId)).map((r) => r.day)).toEqual([
      ...Array(3).fill(h.now.toISOString().slice(0, 10)),
      tomorrow.toISOString().slice(0, 10),
    ]);
  });

  it('are counted once for concurrent duplicates', async () => {
    const event = await h.event();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.call(RECORD, { id: event.eventId }, undefined, '198.51.100.9')),
    );
    expect(answers.every((a) => a.data?.recordEventView === true)).toBe(true);
    expect(await rows(event.eventId)).toHaveLength(1);
    expect(await trend(event.eventId)).toBe(1);
  });

  it('from unknown clients (no address) count at most once per event and day, together', async () => {
    const event = await h.event();
    for (let i = 0; i < 3; i++) await h.view(event.eventId);
    await h.view(event.eventId, undefined, undefined, 'unknown');
    expect(await rows(event.eventId)).toHaveLength(1);
    expect(await trend(event.eventId)).toBe(1);
  });

  it('never store the address itself: a keyed hash, different per day', async () => {
    const event = await h.event();
    const ip = '192.0.2.77';
    await h.view(event.eventId, undefined, undefined, ip);
    await h.view(event.eventId, undefined, new Date(h.now.getTime() + DAY), ip);
    const stored = await rows(event.eventId);
    const keys = stored.map((r) => r.client_key as string);
    expect(keys.every((k) => /^[A-Za-z0-9_-]{22}$/.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(2); // one client's days cannot be linked to each other
    const dump =
      await db`select i::text as row from recommendations.interactions i where event_id = ${event.eventId}`;
    const outbox = await db`select payload::text as payload from recommendations.outbox`;
    for (const text of [...dump.map((r) => r.row), ...outbox.map((r) => r.payload)]) {
      expect(text).not.toContain(ip);
    }
  });

  it('leave signed-in views alone: one per user, whatever the address', async () => {
    const event = await h.event();
    const [alice, bob] = [await h.user(), await h.user()];
    for (const user of [alice, bob, alice])
      await h.view(event.eventId, user.token, undefined, '203.0.113.50');
    await h.view(event.eventId, undefined, undefined, '203.0.113.50'); // anonymous from there too
    const stored = await rows(event.eventId);
    expect(stored.map((r) => [r.user_id, r.client_key])).toEqual([
      [alice.id, null],
      [bob.id, null],
      [null, expect.any(String)],
    ]);
    expect(await trend(event.eventId)).toBe(3);
  });
});

describe('views of events that cannot be viewed', () => {
  it('refuse an id that names no event (NOT_FOUND), drafts (NOT_FOUND), cancelled and ended events (BAD_USER_INPUT)', async () => {
    const draft = await h.event({ status: 'DRAFT' });
    const cancelled = await h.event({ status: 'CANCELLED' });
    const ended = await h.event({
      startsAt: new Date(h.now.getTime() - 5 * HOUR).toISOString(),
      endsAt: new Date(h.now.getTime() - HOUR).toISOString(),
    });
    const nothing = randomUUID();
    const me = await h.user();
    for (const token of [undefined, me.token]) {
      for (const [id, code] of [
        [nothing, 'NOT_FOUND'],
        [draft.eventId, 'NOT_FOUND'],
        [cancelled.eventId, 'BAD_USER_INPUT'],
        [ended.eventId, 'BAD_USER_INPUT'],
      ] as const) {
        const res = await h.call(RECORD, { id }, token, '203.0.113.60');
        expect(errorCodes(res), id).toEqual([code]);
        expect(res.data).toBeNull();
        expect(await rows(id)).toEqual([]);
        expect(await trend(id)).toBe(0);
        expect(await announcementsOf(id)).toBe(0);
      }
    }
  });

  it('accept an event that is on right now, and one published after a draft', async () => {
    const ongoing = await h.event({
      startsAt: new Date(h.now.getTime() - HOUR).toISOString(),
      endsAt: new Date(h.now.getTime() + HOUR).toISOString(),
    });
    expect(errorCodes(await h.call(RECORD, { id: ongoing.eventId }))).toEqual([]);
    const draft = await h.event({ status: 'DRAFT' });
    expect(errorCodes(await h.call(RECORD, { id: draft.eventId }))).toEqual(['NOT_FOUND']);
    await h.event({
      ...draft,
      version: 2,
      status: 'PUBLISHED',
      city: draft.venue.city,
      venueId: draft.venue.id,
    });
    expect(errorCodes(await h.call(RECORD, { id: draft.eventId }))).toEqual([]);
  });
});

describe('one recordEventView per request', () => {
  it('answers the first field and refuses every later one with BAD_USER_INPUT', async () => {
    const [a, b, c] = [await h.event(), await h.event(), await h.event()];
    const res = await h.call(
      `mutation($a: ID!, $b: ID!, $c: ID!) {
        a: recordEventView(eventId: $a) b: recordEventView(eventId: $b) c: recordEventView(eventId: $c) }`,
      { a: a.eventId, b: b.eventId, c: c.eventId },
      undefined,
      '203.0.113.70',
    );
    // Boolean! fields: the refusal of `b` nulls the whole result, and serial execution stops there.
    expect(res.data).toBeNull();
    expect(res.errors!.map((e) => [e.path, e.extensions?.code, e.message])).toEqual([
      [['b'], 'BAD_USER_INPUT', 'one recordEventView per request'],
    ]);
    expect(await rows(a.eventId)).toHaveLength(1);
    expect(await rows(b.eventId)).toEqual([]);
    expect(await rows(c.eventId)).toEqual([]);
  });
});
