import { randomUUID } from 'node:crypto';
import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, startRecommendations, type Harness } from './harness.js';
import { ids, RECOMMENDED, recommendationsClient } from './recommendations-client.js';

let h: Harness;
// Popularity is global, so every test gets its own service and database (about half a second).
beforeEach(async () => {
  h = await startRecommendations();
});
afterEach(() => h.stop());
const { recommended, past, sawPast, popular, inDays } = recommendationsClient(() => h);

describe('recommendedEvents', () => {
  it('ranks the preferred category first, then by popularity, with scores in [0, 1] and reasons', async () => {
    const me = await h.user();
    for (const e of [await past(['jazz']), await past(['Jazz']), await past(['jazz', 'soul'])]) {
      await sawPast(e, me.token);
    }
    const jazzQuiet = await h.event({ categories: ['jazz'], title: 'Quiet jazz' });
    const jazzBusy = await h.event({ categories: ['jazz'], title: 'Busy jazz' });
    const rockHit = await h.event({ categories: ['rock'], city: 'Hamburg' });
    await popular(jazzBusy.eventId, 2);
    for (let i = 0; i < 4; i++) await h.buy(randomUUID(), rockHit.eventId);

    const recs = await recommended(me);
    expect(ids(recs)).toEqual([jazzBusy.eventId, jazzQuiet.eventId, rockHit.eventId]);
    expect(recs.map((r) => r.reasons)).toEqual([
      ['You viewed 3 jazz events', 'In Berlin, where you usually go', 'Popular in Berlin this week'],
      ['You viewed 3 jazz events', 'In Berlin, where you usually go'],
      ['Popular this week'], // Hamburg is 255 km away: not "near"
    ]);
    expect(recs[0]!.score).toBeGreaterThan(recs[1]!.score);
    expect(recs[1]!.score).toBeGreaterThan(recs[2]!.score);
    for (const r of recs) expect(r.score).toBeGreaterThanOrEqual(0);
    expect(recs[0]!.score).toBeLessThanOrEqual(1);
  });

  it('never recommends what is unpublished, cancelled, ended or already bought; a refund makes it eligible again', async () => {
    const me = await h.user();
    await sawPast(await past(['techno']), me.token);
    const ok = await h.event({ categories: ['techno'] });
    const draft = await h.event({ categories: ['techno'], status: 'DRAFT' });
    const cancelled = await h.event({ categories: ['techno'], status: 'CANCELLED' });
    const ended = await h.event({
      categories: ['techno'],
      startsAt: new Date(h.now.getTime() - 5 * HOUR).toISOString(),
      endsAt: new Date(h.now.getTime() - HOUR).toISOString(),
    });
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
    // Popular excluded events stay excluded (bought: views of the first three are refused).
    for (const e of [draft, cancelled, ended, held]) {
      for (let i = 0; i < 2; i++) await h.buy(randomUUID(), e.eventId);
    }

    const got = ids(await recommended(me, 50));
    expect(new Set(got)).toEqual(new Set([ok.eventId, ongoing.eventId, refunded.eventId]));
  });

  it('explains purchases and prefers what the user bought over what they merely viewed', async () => {
    const me = await h.user();
    const boughtRock = await h.event({ categories: ['rock'] });
    await h.buy(me.id, boughtRock.eventId);
    await sawPast(await past(['opera']), me.token);
    const rock = await h.event({ categories: ['rock'], city: 'Cologne' });
    const opera = await h.event({ categories: ['opera'], city: 'Cologne' });

    const recs = await recommended(me);
    expect(ids(recs)).toEqual([rock.eventId, opera.eventId]);
    expect(recs[0]!.reasons).toEqual(['You bought tickets for a rock event']);
    expect(recs[1]!.reasons).toEqual(['You viewed an opera event']);
  });

  it('is deterministic: equal inputs, equal output; ties go to the sooner event, then the id', async () => {
    const me = await h.user();
    await sawPast(await past(['folk']), me.token);
    const startsAt = inDays(3);
    const twins = [
      await h.event({ categories: ['folk'], startsAt }),
      await h.event({ categories: ['folk'], startsAt }),
    ];
    const sooner = await h.event({ categories: ['folk'], startsAt: inDays(1) });
    const first = await recommended(me);
    expect(ids(first)).toEqual([sooner.eventId, ...twins.map((t) => t.eventId).sort()]);
    expect(new Set(first.map((r) => r.score)).size).toBe(1);
    expect(await recommended(me)).toEqual(first);
  });

  it('belongs to the user themself: another user is FORBIDDEN, anonymous is UNAUTHENTICATED', async () => {
    const alice = await h.user();
    const bob = await h.user();
    const r = { r: [{ __typename: 'User', id: alice.id }] };
    const asBob = await h.call(RECOMMENDED, r, bob.token);
    expect(errorCodes(asBob)).toEqual(['FORBIDDEN']);
    expect(asBob.errors![0]!.path).toEqual(['_entities', 0, 'recommendedEvents']);
    expect(asBob.data).toEqual({ _entities: [null] });
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

  it('costs two statements however large the catalog and the history are', async () => {
    const me = await h.user();
    await sawPast(await past(['jazz']), me.token);
    await h.event({ categories: ['jazz'] });
    const small = await h.statementsDuring(() => recommended(me));
    for (let i = 0; i < 40; i++) {
      const e = await h.event({ categories: [i % 2 ? 'jazz' : 'pop'], city: `City ${i % 5}` });
      await h.view(e.eventId, me.token);
      if (i % 4 === 0) {
        await h.buy(me.id, e.eventId);
        await h.buy(randomUUID(), e.eventId);
      }
    }
    h.setNow(new Date(h.now.getTime() + DAY));
    const large = await h.statementsDuring(() => recommended(me, 50));
    expect(small).toHaveLength(2);
    expect(large).toHaveLength(2);
  });
});
