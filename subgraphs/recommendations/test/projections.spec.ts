import { randomUUID } from 'node:crypto';
import { Topics } from '@marquee/bus';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecommendations, type Harness } from './harness.js';

let h: Harness;
let db: postgres.Sql;
beforeAll(async () => {
  h = await startRecommendations();
  db = postgres(h.databaseUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await db.end();
  await h.stop();
});

const catalogRow = async (id: string) =>
  (
    await db`select status, title, categories, city, venue_name, version from recommendations.event_catalog where id = ${id}`
  )[0];
const trending = async (city: string) =>
  (
    await h.call<{ trendingEvents: { id: string }[] }>(
      `query($c: String) { trendingEvents(city: $c) { id } }`,
      { c: city },
    )
  ).data!.trendingEvents.map((e) => e.id);

describe('event catalog', () => {
  it('keeps the newest snapshot: an older version arriving late changes nothing', async () => {
    const v1 = await h.event({
      categories: [' Jazz', 'jazz', 'Blues '],
      city: 'Leipzig',
      title: 'First',
      venueName: ' Moritzbastei ',
    });
    expect(await catalogRow(v1.eventId)).toEqual({
      status: 'PUBLISHED',
      title: 'First',
      categories: ['jazz', 'blues'],
      city: 'Leipzig',
      venue_name: 'Moritzbastei',
      version: 1,
    });
    expect(await trending('Leipzig')).toEqual([v1.eventId]);

    await h.publish(Topics.eventChanged, { ...v1, version: 3, status: 'CANCELLED', title: 'Third' });
    await h.publish(Topics.eventChanged, { ...v1, version: 2, status: 'PUBLISHED', title: 'Second' });
    await h.publish(Topics.eventChanged, { ...v1, version: 3, status: 'PUBLISHED', title: 'Same version' });
    expect(await catalogRow(v1.eventId)).toMatchObject({ status: 'CANCELLED', title: 'Third', version: 3 });
    expect(await trending('Leipzig')).toEqual([]);
  });

  it('applies a redelivered message once', async () => {
    const event = await h.event({ city: 'Dresden' });
    const message = { ...event, version: 5, title: 'Renamed' };
    const id = await h.publish(Topics.eventChanged, message);
    await h.publish(Topics.eventChanged, message, id);
    expect(await catalogRow(event.eventId)).toMatchObject({ title: 'Renamed', version: 5 });
    const inbox = await db`select count(*)::int as n from recommendations.inbox where message_id = ${id}`;
    expect(inbox[0]!.n).toBe(1);
  });

  it('skips messages it cannot read, without failing the bus', async () => {
    const eventId = randomUUID();
    await expect(h.publish(Topics.eventChanged, { eventId, version: 1 })).resolves.toBeTypeOf('string');
    const bad = await h.event({ city: 'Nowhere' });
    await expect(
      h.publish(Topics.eventChanged, { ...bad, eventId: 'not-a-uuid', version: 9 }),
    ).resolves.toBeTypeOf('string');
    expect(await catalogRow(eventId)).toBeUndefined();
    expect(await db`select 1 from recommendations.event_catalog where version = 9`).toHaveLength(0);
  });
});

describe('orders', () => {
  const holdings = (orderId: string) =>
    db`select confirmed_at is not null as confirmed, refunded_at is not null as refunded from recommendations.ticket_holdings where order_id = ${orderId}`;
  const activity = async (eventId: string) =>
    (
      await db`select round(popularity::numeric, 6)::float8 as popularity, round(trend::numeric, 6)::float8 as trend, purchases
        from recommendations.event_activity where event_id = ${eventId}`
    )[0];
  const purchases = (eventId: string) =>
    db`select user_id, kind from recommendations.interactions where event_id = ${eventId} and kind = 'PURCHASE'`;

  it('records a purchase once however often the confirmation is delivered', async () => {
    const user = randomUUID();
    const event = await h.event();
    const order = {
      orderId: randomUUID(),
      userId: user,
      eventId: event.eventId,
      ticketCount: 2,
      totalCents: 5000,
      currency: 'EUR',
      confirmedAt: new Date().toISOString(),
    };
    const id = await h.publish(Topics.orderConfirmed, order);
    await h.publish(Topics.orderConfirmed, order, id);
    expect(await purchases(event.eventId)).toEqual([{ user_id: user, kind: 'PURCHASE' }]);
    expect(await holdings(order.orderId)).toEqual([{ confirmed: true, refunded: false }]);
  });

  it('stops counting a refunded order as held and takes its purchase back, whichever message arrives first', async () => {
    const event = await h.event();
    const buyer = randomUUID();
    const order = await h.buy(buyer, event.eventId);
    const kept = await h.buy(randomUUID(), event.eventId);
    expect(await activity(event.eventId)).toEqual({ popularity: 6, trend: 6, purchases: 2 });
    await h.refund(order);
    expect(await holdings(order.orderId)).toEqual([{ confirmed: true, refunded: true }]);
    // A refund is a negative signal: the purchase is gone (taste, co-purchases, popularity).
    expect(await purchases(event.eventId)).toEqual([{ user_id: kept.userId, kind: 'PURCHASE' }]);
    expect(await activity(event.eventId)).toEqual({ popularity: 3, trend: 3, purchases: 1 });
    await h.refund(order); // a second refund message changes nothing
    expect(await activity(event.eventId)).toEqual({ popularity: 3, trend: 3, purchases: 1 });

    // The refund overtakes the confirmation: the order never counts as held nor as a purchase.
    const late = { orderId: randomUUID(), userId: randomUUID(), eventId: event.eventId };
    await h.refund(late);
    await h.buy(late.userId, late.eventId, new Date(), late.orderId);
    expect(await holdings(late.orderId)).toEqual([{ confirmed: true, refunded: true }]);
    expect(await purchases(event.eventId)).toHaveLength(1);
    expect(await activity(event.eventId)).toEqual({ popularity: 3, trend: 3, purchases: 1 });
  });
});
