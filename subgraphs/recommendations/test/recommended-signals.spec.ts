import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, startRecommendations, type Harness } from './harness.js';
import { ids, recommendationsClient } from './recommendations-client.js';

// Each signal of the hybrid score, and its reason, on a service of its own per test.
let h: Harness;
beforeEach(async () => {
  h = await startRecommendations();
});
afterEach(() => h.stop());
const { recommended, past, sawPast, popular, inDays } = recommendationsClient(() => h);

describe('recommendedEvents signals', () => {
  it('recommends what buyers of the user’s events also bought ("people who bought X also bought this")', async () => {
    const me = await h.user();
    const indie = await h.event({ title: 'Indie Night', categories: ['indie'], city: 'Leipzig' });
    await h.buy(me.id, indie.eventId);
    const alsoBought = await h.event({ categories: ['poetry'], city: 'Dresden', startsAt: inDays(9) });
    const lookalike = await h.event({ categories: ['poetry'], city: 'Dresden', startsAt: inDays(8) });
    for (let i = 0; i < 3; i++) {
      const fan = randomUUID();
      await h.buy(fan, indie.eventId);
      await h.buy(fan, alsoBought.eventId);
      await h.buy(randomUUID(), lookalike.eventId); // as popular, bought by other people
    }

    const recs = await recommended(me);
    expect(ids(recs)).toEqual([alsoBought.eventId, lookalike.eventId]); // never Indie Night itself
    expect(recs[0]!.reasons).toContain('People who bought Indie Night also bought this');
    expect(recs[1]!.reasons.join(' ')).not.toMatch(/People who bought/);
    expect(recs[0]!.score).toBeGreaterThan(recs[1]!.score);
  });

  it('learns organizers and venues, naming what the user knows (an event title, the venue)', async () => {
    const me = await h.user();
    const organizerId = randomUUID();
    const venueId = randomUUID();
    const at = { organizerId, venueId, venueName: 'Blue Note' };
    const threeDaysAgo = new Date(h.now.getTime() - 3 * DAY);
    const quiet = await past(['jazz'], 'Hamburg', {
      ...at,
      title: 'Quiet Storm',
      startsAt: new Date(threeDaysAgo.getTime() - HOUR).toISOString(),
      endsAt: new Date(threeDaysAgo.getTime() + 2 * HOUR).toISOString(),
    });
    const late = await past(['jazz'], 'Hamburg', { ...at, title: 'Late Set' });
    await h.view(quiet.eventId, me.token, threeDaysAgo);
    await sawPast(late, me.token);
    const sameOrganizer = await h.event({ organizerId, categories: ['talk'], city: 'Cologne' });
    const sameVenue = await h.event({
      venueId,
      venueName: 'Blue Note',
      categories: ['talk'],
      city: 'Hamburg',
    });
    const neither = await h.event({ categories: ['talk'], city: 'Cologne' });

    const recs = await recommended(me);
    expect(ids(recs)).toEqual([sameVenue.eventId, sameOrganizer.eventId, neither.eventId]);
    expect(recs[0]!.reasons).toEqual([
      'In Hamburg, where you usually go',
      'At Blue Note, like 2 events you viewed',
    ]);
    expect(recs[1]!.reasons).toEqual(['From the organizer of Late Set']); // the more recent of the two
    expect(recs[2]!.reasons).toEqual(['Coming up soon']);
  });

  it('prefers events near the cities the user goes to, by distance', async () => {
    const me = await h.user();
    for (const title of ['Fado I', 'Fado II'])
      await sawPast(await past(['fado'], 'Lisbon', { title }), me.token);
    const lisbon = await h.event({ categories: ['talk'], city: 'Lisbon', startsAt: inDays(5) });
    const sintra = await h.event({ categories: ['talk'], city: 'Sintra', startsAt: inDays(4) }); // 22 km
    const porto = await h.event({ categories: ['talk'], city: 'Porto', startsAt: inDays(3) }); // 275 km
    const berlin = await h.event({ categories: ['talk'], city: 'Berlin', startsAt: inDays(2) });

    const recs = await recommended(me);
    // Porto is far, but nearer than Berlin: a sliver of proximity still orders them.
    expect(ids(recs)).toEqual([lisbon.eventId, sintra.eventId, porto.eventId, berlin.eventId]);
    expect(recs.map((r) => r.reasons[0])).toEqual([
      'In Lisbon, where you usually go',
      'Near Lisbon, where you usually go',
      'Coming up soon',
      'Coming up soon',
    ]);
    expect(recs[0]!.score).toBeGreaterThan(recs[1]!.score);
    expect(recs[1]!.score).toBeGreaterThan(recs[2]!.score);
  });

  it('starts cold from what is popular (anonymous views count), soonest first when nothing is', async () => {
    const me = await h.user();
    const soon = await h.event({ startsAt: inDays(1) });
    const later = await h.event({ startsAt: inDays(9) });
    const liked = await h.event({ startsAt: inDays(20) });
    const loved = await h.event({ startsAt: inDays(30) });
    const crowd = await h.event({ startsAt: inDays(2) });
    await popular(liked.eventId, 1);
    await popular(loved.eventId, 3);
    // Five anonymous visitors: popularity, never anyone's taste.
    for (let i = 0; i < 5; i++) await h.view(crowd.eventId, undefined, undefined, `198.51.100.${i + 1}`);
    const recs = await recommended(me);
    expect(ids(recs)).toEqual([crowd.eventId, loved.eventId, liked.eventId, soon.eventId, later.eventId]);
    expect(recs[0]!.score).toBe(1);
    expect(recs.map((r) => r.reasons)).toEqual([
      ['Popular this week'],
      ['Popular this week'],
      ['Popular this week'],
      ['Coming up soon'],
      ['Coming up soon'],
    ]);
  });

  it('starts cold near the user when it knows where they go but not their taste', async () => {
    const me = await h.user();
    // The only thing the user looked at has no categories, but it tells where they go.
    await sawPast(await past([], 'Munich'), me.token);
    const paris = await h.event({ categories: [], city: 'Paris' });
    const munich = await h.event({ categories: [], city: 'munich' });
    await popular(paris.eventId, 3);
    await popular(munich.eventId, 2);

    const recs = await recommended(me, 2);
    expect(ids(recs)).toEqual([munich.eventId, paris.eventId]);
    expect(recs[0]!.reasons).toEqual(['Popular in munich this week', 'In Munich, where you usually go']);
    expect(recs[1]!.reasons).toEqual(['Popular this week']);
  });

  it('counts one user’s views of an event once a day for popularity', async () => {
    const me = await h.user();
    const reloaded = await h.event({ startsAt: inDays(3) });
    const seenTwice = await h.event({ startsAt: inDays(4) });
    const fan = await h.user();
    await h.view(reloaded.eventId, fan.token, new Date(h.now.getTime() - DAY));
    for (let i = 0; i < 6; i++) await h.view(reloaded.eventId, fan.token); // 1 (yesterday) + 1 (today)
    await popular(seenTwice.eventId, 2); // 2 users today: more than 1 + 1 faded by a day
    expect(ids(await recommended(me))).toEqual([seenTwice.eventId, reloaded.eventId]);
  });

  it('takes a refunded purchase back: it no longer shapes taste or co-purchases, views still count', async () => {
    const me = await h.user();
    const first = await h.event({ title: 'First Gig', categories: ['rock'], city: 'Cologne' });
    await h.view(first.eventId, me.token);
    const order = await h.buy(me.id, first.eventId);
    const other = await h.event({ categories: ['rock'], city: 'Cologne' });
    const fan = randomUUID();
    await h.buy(fan, first.eventId);
    // Long enough ago not to make `other` popular this week: only the co-purchase speaks for it.
    await h.buy(fan, other.eventId, new Date(h.now.getTime() - 20 * DAY));
    const before = await recommended(me);
    expect(ids(before)).toEqual([other.eventId]);
    expect(new Set(before[0]!.reasons)).toEqual(
      new Set([
        'You bought tickets for a rock event',
        'People who bought First Gig also bought this',
        'In Cologne, where you usually go',
      ]),
    );

    await h.refund(order);
    const after = await recommended(me);
    expect(new Set(ids(after))).toEqual(new Set([first.eventId, other.eventId]));
    for (const r of after) {
      expect(r.reasons.join(' ')).not.toMatch(/bought/i);
      expect(r.reasons).toContain('You viewed a rock event');
    }
  });
});
