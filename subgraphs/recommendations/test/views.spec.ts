import { randomUUID } from 'node:crypto';
import { createTestIssuer } from '@marquee/auth/testing';
import { Topics, type BusMessage } from '@marquee/bus';
import { errorCodes, graphql } from '@marquee/subgraph-kit/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecommendations, type Harness } from './harness.js';

let h: Harness;
let db: postgres.Sql;
const published: BusMessage[] = [];
beforeAll(async () => {
  h = await startRecommendations();
  db = postgres(h.databaseUrl, { max: 1, onnotice: () => {} });
  await h.bus.subscribe(Topics.eventViewed, 'test-listener', async (message) => {
    published.push(message);
  });
});
afterAll(async () => {
  await db.end();
  await h.stop();
});

const RECORD = `mutation($id: ID!) { recordEventView(eventId: $id) }`;
const views = (eventId: string) =>
  db`select user_id, kind from recommendations.interactions where event_id = ${eventId} order by id`;

describe('recordEventView', () => {
  it('records signed-in and anonymous views and announces each on the bus after commit', async () => {
    const event = await h.event();
    const me = await h.user();
    expect((await h.call(RECORD, { id: event.eventId }, me.token)).data).toEqual({ recordEventView: true });
    expect((await h.call(RECORD, { id: event.eventId })).data).toEqual({ recordEventView: true });
    expect(await views(event.eventId)).toEqual([
      { user_id: me.id, kind: 'VIEW' },
      { user_id: null, kind: 'VIEW' },
    ]);

    await h.settle();
    const mine = published.filter((m) => (m.payload as { eventId: string }).eventId === event.eventId);
    expect(mine.map((m) => m.payload)).toEqual([
      { eventId: event.eventId, userId: me.id, viewedAt: h.now.toISOString() },
      { eventId: event.eventId, userId: null, viewedAt: h.now.toISOString() },
    ]);
    expect(mine.every((m) => m.id.startsWith('recommendations:') && m.topic === Topics.eventViewed)).toBe(
      true,
    );
    const pending =
      await db`select count(*)::int as n from recommendations.outbox where published_at is null`;
    expect(pending[0]!.n).toBe(0);
  });

  it('keeps one row per signed-in user, event and UTC day (the latest view), and per anonymous client', async () => {
    const event = await h.event({ startsAt: '2031-03-10T20:00:00Z' });
    const me = await h.user();
    const day = (iso: string) => new Date(iso);
    await h.view(event.eventId, me.token, day('2031-03-01T20:00:00Z'));
    await h.view(event.eventId, me.token, day('2031-03-01T08:00:00Z')); // earlier that day: still one row
    await h.view(event.eventId, me.token, day('2031-03-01T23:59:59Z'));
    await h.view(event.eventId, me.token, day('2031-03-02T00:00:01Z')); // the next day
    await h.view(event.eventId, undefined, day('2031-03-01T20:00:00Z'), '203.0.113.1');
    await h.view(event.eventId, undefined, day('2031-03-01T21:00:00Z'), '203.0.113.1'); // the same client
    await h.view(event.eventId, undefined, day('2031-03-01T20:00:00Z'), '203.0.113.2');
    const rows = await db`select user_id, occurred_at, to_char(view_day, 'YYYY-MM-DD') as day
      from recommendations.interactions where event_id = ${event.eventId} order by user_id nulls last, occurred_at`;
    expect(rows.map((r) => [r.user_id, (r.occurred_at as Date).toISOString(), r.day])).toEqual([
      [me.id, '2031-03-01T23:59:59.000Z', '2031-03-01'],
      [me.id, '2031-03-02T00:00:01.000Z', '2031-03-02'],
      [null, '2031-03-01T20:00:00.000Z', '2031-03-01'],
      [null, '2031-03-01T20:00:00.000Z', '2031-03-01'],
    ]);
  });

  it('refuses a view of an id the catalog does not know with NOT_FOUND and writes nothing', async () => {
    const unknown = randomUUID();
    const res = await h.call(RECORD, { id: unknown });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(await views(unknown)).toHaveLength(0);
  });

  it('refuses a malformed id with BAD_USER_INPUT and writes nothing', async () => {
    const before = await db`select count(*)::int as n from recommendations.interactions`;
    const res = await h.call(RECORD, { id: 'not-an-id' });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.extensions).toMatchObject({ field: 'eventId' });
    const after = await db`select count(*)::int as n from recommendations.interactions`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});

describe('the walls', () => {
  it('refuses calls without the internal credential', async () => {
    const res = await graphql(
      h.url,
      `
        {
          trendingEvents {
            id
          }
        }
      `,
    );
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    const wrong = await graphql(
      h.url,
      `
        {
          trendingEvents {
            id
          }
        }
      `,
      {},
      { internalSecret: 'x'.repeat(32) },
    );
    expect(wrong.status).toBe(401);
  });

  it('refuses forged and garbage tokens', async () => {
    const forger = await createTestIssuer();
    const forged = await forger.token(randomUUID());
    expect(errorCodes(await h.call(RECORD, { id: randomUUID() }, forged))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await h.call(RECORD, { id: randomUUID() }, 'garbage.token.here'))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('answers health and readiness', async () => {
    const base = h.url.replace('/graphql', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, bus: { status: 'up' } },
      error: {},
    });
  });
});
