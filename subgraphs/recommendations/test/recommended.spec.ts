import { randomUUID } from 'node:crypto';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, startRecommendations, type Harness } from './harness.js';

interface Rec {
  event: { id: string };
  score: number;
  reasons: string[];
}

const RECOMMENDED = `query($r: [_Any!]!, $first: Int) {
  _entities(representations: $r) { ... on User { id recommendedEvents(first: $first) { event { id } score reasons } } }
}`;

let h: Harness;
// Popularity is global, so every test gets its own service and database (about half a second).
beforeEach(async () => {
  h = await startRecommendations();
});
afterEach(() => h.stop());

async function recommended(user: { id: string; token?: string }, first?: number) {
  const res = await h.call<{ _entities: { recommendedEvents: Rec[] }[] }>(
    RECOMMENDED,
    { r: [{ __typename: 'User', id: user.id }], ...(first === undefined ? {} : { first }) },
    user.token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!._entities[0]!.recommendedEvents;
}
const ids = (recs: Rec[]) => recs.map((r) => r.event.id);

/** An event that already happened (still in the catalog, so it tells what a user likes). */
const past = (categories: string[], city = 'Berlin') =>
  h.event({
    categories,
    city,
    startsAt: new Date(h.now.getTime() - 10 * DAY).toISOString(),
    endsAt: new Date(h.now.getTime() - 10 * DAY + 3 * HOUR).toISOString(),
  });

/** `n` other signed-in users view the event. */
async function popular(eventId: string, n: number) {
  for (let i = 0; i < n; i++) await h.view(eventId, (await h.user()).token);
}

describe('recommendedEvents', () => {
  it('ranks the preferred category first, then by popularity, with scores in [0, 1]', async () => {
    const me = await h.user();
    for (const e of [await past(['jazz']), await past(['Jazz']), await past(['jazz', 'soul'])]) {
      await h.view(e.eventId, me.token);
    }
    const jazzQuiet = await h.event({ categories: ['jazz'], title: 'Quiet jazz' });
    const jazzBusy = await h.event({ categories: ['jazz'], title: 'Busy jazz' });
    const rockHit = await h.event({ categories: ['rock'], city: 'Hamburg' });
    await popular(jazzBusy.eventId, 2);
    for (let i = 0; i < 4; i++) await h.buy(randomUUID(), rockHit.eventId);

    const recs = await recommended(me);
    expect(ids(recs)).toEqual([jazzBusy.eventId, jazzQuiet.eventId, rockHit.eventId]);
    expect(recs[0]!.reasons).toEqual(['You viewed 3 jazz events', 'Popular in Berlin this week']);
    expect(recs[1]!.reasons).toEqual(['You viewed 3 jazz events', 'Coming up in Berlin']);
    expect(recs[2]!.reasons).toEqual(['Popular this week']);
    expect(recs[0]!.score).toBeGreaterThan(recs[1]!.score);
    expect(recs[1]!.score).toBeGreaterThan(recs[2]!.score);
    for (const r of recs) expect(r.score).toBeGreaterThanOrEqual(0);
    expect(recs[0]!.score).toBeLessThanOrEqual(1);
  });

  it('only recommends PUBLISHED events that have not ended and that the user holds no ticket for', async () => {
    const me = await h.user();
    await h.view((await past(['techno'])).eventId, me.token);
    const ok = await h.event({ categories: ['techno'] });
    const draft = await h.event({ categories: ['techno'], status: 'DRAFT' });
    const cancelled = await h.event({ categories: ['techno'], status: 'CANCELLED' });
    const ongoing = await h.event({
      categories: ['techno'],
      startsAt: new Date(h.now.getTime() - HOUR).toISOString(),
      endsAt: new Date(h.now.getTime() + HOUR).toISOString(),
    });
    const held = await h.event({ categories: ['techno'] });
    const refunded = await h.event({ categories: ['techno'] });
    await h.buy(me.id, held.eventId);
    const order = await h.buy(me.id, refunded.eventId);
    await h.refund(order);
    // A view of an event the catalog does not know yet: recorded, never recommended.
    await h.view(randomUUID(), me.token);

    const got = ids(await recommended(me));
    expect(new Set(got)).toEqual(new Set([ok.eventId, ongoing.eventId, refunded.eventId]));
    expect(got).not.toContain(draft.eventId);
    expect(got).not.toContain(cancelled.eventId);
    expect(got).not.toContain(held.eventId);
  });

  it('explains purchases and prefers what the user bought over what they merely viewed', async () => {
    const me = await h.user();
    const boughtRock = await h.event({ categories: ['rock'] });
    await h.buy(me.id, boughtRock.eventId);
    await h.view((await past(['opera'])).eventId, me.token);
    const rock = await h.event({ categories: ['rock'], city: 'Cologne' });
    const opera = await h.event({ categories: ['opera'], city: 'Cologne' });

    const recs = await recommended(me);
    expect(ids(recs)).toEqual([rock.eventId, opera.eventId]);
    expect(recs[0]!.reasons[0]).toBe('You bought tickets for a rock event');
    expect(recs[1]!.reasons[0]).toBe('You viewed an opera event');
  });

  it('starts cold from popularity among signed-in users, soonest first when nothing is popular', async () => {
    const me = await h.user();
    const soon = await h.event({ startsAt: new Date(h.now.getTime() + DAY).toISOString() });
    const later = await h.event({ startsAt: new Date(h.now.getTime() + 9 * DAY).toISOString() });
    const liked = await h.event({ startsAt: new Date(h.now.getTime() + 20 * DAY).toISOString() });
    const loved = await h.event({ startsAt: new Date(h.now.getTime() + 30 * DAY).toISOString() });
    const anonymousOnly = await h.event({ startsAt: new Date(h.now.getTime() + 2 * DAY).toISOString() });
    await popular(liked.eventId, 1);
    await popular(loved.eventId, 3);
    for (let i = 0; i < 5; i++) await h.view(anonymousOnly.eventId); // anonymous views count for trending only

    const recs = await recommended(me);
    expect(ids(recs)).toEqual([
      loved.eventId,
      liked.eventId,
      soon.eventId,
      anonymousOnly.eventId,
      later.eventId,
    ]);
    expect(recs[0]!.score).toBe(1);
    expect(recs.map((r) => r.reasons)).toEqual([
      ['Popular this week'],
      ['Popular this week'],
      ['Coming up soon'],
      ['Coming up soon'],
      ['Coming up soon'],
    ]);
  });

  it("prefers the user's cities when it knows them but not their taste", async () => {
    const me = await h.user();
    // The only thing the user looked at has no categories, but it tells where they go.
    await h.view((await past([], 'Munich')).eventId, me.token);
    const elsewhere = await h.event({ categories: [], city: 'Paris' });
    const munich = await h.event({ categories: [], city: 'munich' });
    await popular(elsewhere.eventId, 2);
    await popular(munich.eventId, 2);

    const recs = await recommended(me, 2);
    expect(ids(recs)).toEqual([munich.eventId, elsewhere.eventId]);
    expect(recs[0]!.reasons).toEqual(['Popular in munich this week']);
    expect(recs[1]!.reasons).toEqual(['Popular this week']);
  });

  it('is deterministic: equal inputs, equal output; ties go to the sooner event, then the id', async () => {
    const me = await h.user();
    await h.view((await past(['folk'])).eventId, me.token);
    const startsAt = new Date(h.now.getTime() + 3 * DAY).toISOString();
    const twins = [
      await h.event({ categories: ['folk'], startsAt }),
      await h.event({ categories: ['folk'], startsAt }),
    ];
    const sooner = await h.event({
      categories: ['folk'],
      startsAt: new Date(h.now.getTime() + DAY).toISOString(),
    });
    const first = await recommended(me);
    expect(ids(first)).toEqual([sooner.eventId, ...twins.map((t) => t.eventId).sort()]);
    expect(await recommended(me)).toEqual(first);
  });

  it('belongs to the user themself: another user is FORBIDDEN, anonymous is UNAUTHENTICATED', async () => {
    const alice = await h.user();
    const bob = await h.user();
    const r = { r: [{ __typename: 'User', id: alice.id }] };
    const asBob = await h.call(RECOMMENDED, r, bob.token);
    expect(errorCodes(asBob)).toEqual(['FORBIDDEN']);
    expect(asBob.errors![0]!.path).toEqual(['_entities', 0, 'recommendedEvents']);
    expect(errorCodes(await h.call(RECOMMENDED, r))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await h.call(RECOMMENDED, r, alice.token))).toEqual([]);
  });

  it('honours first: default 10, capped at 50, negative is BAD_USER_INPUT', async () => {
    const me = await h.user();
    for (let i = 0; i < 53; i++) await h.event({ categories: [] });
    expect(await recommended(me)).toHaveLength(10);
    expect(await recommended(me, 3)).toHaveLength(3);
    expect(await recommended(me, 0)).toEqual([]);
    expect(await recommended(me, 500)).toHaveLength(50);
    const res = await h.call(RECOMMENDED, { r: [{ __typename: 'User', id: me.id }], first: -1 }, me.token);
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('costs two statements however large the catalog is', async () => {
    const me = await h.user();
    await h.view((await past(['jazz'])).eventId, me.token);
    await h.event({ categories: ['jazz'] });
    const small = await h.statementsDuring(() => recommended(me));
    for (let i = 0; i < 40; i++) {
      const e = await h.event({ categories: [i % 2 ? 'jazz' : 'pop'], city: `City ${i % 5}` });
      await h.view(e.eventId, me.token);
    }
    const large = await h.statementsDuring(() => recommended(me, 50));
    expect(small).toHaveLength(2);
    expect(large).toHaveLength(2);
  });
});
