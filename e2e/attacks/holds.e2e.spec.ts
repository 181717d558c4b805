import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@marquee/subgraph-kit/testing';
import { createEvent } from '../fixtures.js';
import { ORGANIZER, startTestStack, type TestStack } from '../harness.js';

/**
 * Greedy and hostile buyers, through the gateway: one account must not take a tier's seats
 * (many holds, renewed forever), and no integer input may turn into a 500.
 */

const RESERVE = `mutation($e: ID!, $items: [ReservationItemInput!]!, $k: String!) {
  reserveTickets(eventId: $e, items: $items, idempotencyKey: $k) { id status totalCents expiresAt } }`;
const RELEASE = `mutation($id: ID!) { releaseReservation(id: $id) { id status } }`;
const CHECKOUT = `mutation($r: ID!, $k: String!) {
  checkout(reservationId: $r, paymentToken: "tok_ok", idempotencyKey: $k) { id status } }`;
const ADD_TIER = `mutation($e: ID!, $i: TierInput!) { addTicketTier(eventId: $e, input: $i) { id } }`;
const TIERS = `query($id: ID!) { event(id: $id) { ticketTiers { id available } } }`;

type Held = { reserveTickets: { id: string; status: string; totalCents: number; expiresAt: string } };
type Item = { tierId: string; quantity: number };

let keys = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions;

function client(stack: TestStack) {
  return {
    hold: (token: string, eventId: string, items: Item[], k = `hold-${++keys}`) =>
      stack.call<Held>(RESERVE, { e: eventId, items, k }, token),
    async held(token: string, eventId: string, items: Item[]) {
      const res = await stack.call<Held>(RESERVE, { e: eventId, items, k: `hold-${++keys}` }, token);
      expect(res.errors).toBeUndefined();
      return res.data!.reserveTickets;
    },
    async available(eventId: string, tierId: string) {
      const res = await stack.call<{ event: { ticketTiers: { id: string; available: number }[] } }>(TIERS, {
        id: eventId,
      });
      return res.data!.event.ticketTiers.find((t) => t.id === tierId)!.available;
    },
  };
}

describe('one buyer against everyone else (default limits)', () => {
  let stack: TestStack;
  let sql: postgres.Sql;
  let organizer: string;
  let api: ReturnType<typeof client>;
  let users = 0;
  const buyer = () => stack.signUp(`greedy-${++users}@example.com`);
  /** What a refusal must not have written: this user's reservations, and the ledger and outbox. */
  const written = async (userId: string) => {
    const [row] = await sql<{ reservations: number; ledger: number; outbox: number }[]>`
      select (select count(*)::int from tickets.reservations where user_id = ${userId}) as reservations,
             (select count(*)::int from tickets.inventory_ledger) as ledger,
             (select count(*)::int from tickets.outbox) as outbox`;
    return row!;
  };

  beforeAll(async () => {
    stack = await startTestStack({ RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000' });
    sql = postgres(stack.databaseUrl, { max: 2, onnotice: () => {} });
    organizer = (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token;
    api = client(stack);
  });
  afterAll(async () => {
    await sql?.end();
    await stack?.stop();
  });

  it("caps a buyer's live holds on a tier at its maxPerOrder in total: TIER_LIMIT", async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      tiers: [{ name: 'VIP', priceCents: 9_900, capacity: 10, maxPerOrder: 4 }],
    });
    const vip = tierIds[0]!;
    const greedy = await buyer();
    const first = await api.held(greedy.token, eventId, [{ tierId: vip, quantity: 4 }]);
    const before = await written(greedy.userId);

    const second = await api.hold(greedy.token, eventId, [{ tierId: vip, quantity: 4 }]);
    expect(second.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'TIER_LIMIT',
      tierId: vip,
    });
    const retryAfter = errorOf(second)!.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(errorOf(await api.hold(greedy.token, eventId, [{ tierId: vip, quantity: 1 }]))?.reason).toBe(
      'TIER_LIMIT',
    );
    expect(await written(greedy.userId)).toEqual(before);
    expect(await api.available(eventId, vip)).toBe(6);

    // Everyone else still gets theirs; the greedy buyer gets more once the first hold is gone.
    const other = await buyer();
    await api.held(other.token, eventId, [{ tierId: vip, quantity: 4 }]);
    expect((await stack.call(RELEASE, { id: first.id }, greedy.token)).errors).toBeUndefined();
    await api.held(greedy.token, eventId, [{ tierId: vip, quantity: 2 }]);
    expect(await api.available(eventId, vip)).toBe(4);
  });

  it('allows at most MAX_LIVE_HOLDS_PER_USER (3) live holds per buyer: HOLD_LIMIT; retries still answer', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      tiers: ['A', 'B', 'C', 'D'].map((name) => ({ name, priceCents: 1_000, capacity: 50 })),
    });
    const greedy = await buyer();
    const holds = [];
    for (const tierId of tierIds.slice(0, 3)) {
      const k = `limit-${++keys}`;
      const res = await api.hold(greedy.token, eventId, [{ tierId, quantity: 1 }], k);
      expect(res.errors).toBeUndefined();
      holds.push({ id: res.data!.reserveTickets.id, k, tierId });
    }
    const before = await written(greedy.userId);
    const fourth = await api.hold(greedy.token, eventId, [{ tierId: tierIds[3]!, quantity: 1 }]);
    expect(errorOf(fourth)).toMatchObject({ code: 'CONFLICT', reason: 'HOLD_LIMIT' });
    expect(errorOf(fourth)!.retryAfterSeconds).toBeGreaterThan(0);
    expect(await written(greedy.userId)).toEqual(before);

    // A retry of an earlier hold (same key, same payload) is the same reservation, not a refusal.
    const retry = await api.hold(
      greedy.token,
      eventId,
      [{ tierId: holds[0]!.tierId, quantity: 1 }],
      holds[0]!.k,
    );
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.reserveTickets.id).toBe(holds[0]!.id);

    // Paying for a hold ends it: there is room for another.
    const paid = await stack.call<{ checkout: { status: string } }>(
      CHECKOUT,
      { r: holds[1]!.id, k: `pay-${++keys}` },
      greedy.token,
    );
    expect(paid.data?.checkout.status).toBe('CONFIRMED');
    await api.held(greedy.token, eventId, [{ tierId: tierIds[3]!, quantity: 1 }]);
  });

  it('20 parallel holds by one buyer across events and tiers never end above the limits', async () => {
    const events = await Promise.all(
      [1, 2].map(() =>
        createEvent(stack, organizer, {
          tiers: [
            { name: 'Floor', priceCents: 2_000, capacity: 50, maxPerOrder: 3 },
            { name: 'Balcony', priceCents: 1_500, capacity: 50, maxPerOrder: 3 },
          ],
        }),
      ),
    );
    const targets = events.flatMap((e) => e.tierIds.map((tierId) => ({ eventId: e.eventId, tierId })));
    const greedy = await buyer();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const target = targets[i % targets.length]!;
        return api.hold(greedy.token, target.eventId, [{ tierId: target.tierId, quantity: 1 + (i % 2) }]);
      }),
    );
    const held = results.filter((r) => !r.errors);
    const reasons = new Set(
      results.flatMap((r) => (r.errors ? [`${errorOf(r)?.code}:${errorOf(r)?.reason}`] : [])),
    );
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.length).toBeLessThanOrEqual(3);
    expect([...reasons].every((r) => r === 'CONFLICT:HOLD_LIMIT' || r === 'CONFLICT:TIER_LIMIT')).toBe(true);

    const live = await sql<{ tierId: string; quantity: number; holds: number }[]>`
      select i.tier_id as "tierId", sum(i.quantity)::int as quantity, count(*)::int as holds
      from tickets.reservations r join tickets.reservation_items i on i.reservation_id = r.id
      where r.user_id = ${greedy.userId} and r.status = 'HELD' group by i.tier_id`;
    expect(live.reduce((n, t) => n + t.holds, 0)).toBe(held.length);
    for (const tier of live) expect(tier.quantity).toBeLessThanOrEqual(3);
    const counters = await sql<{ id: string; held: number }[]>`
      select id, held from tickets.ticket_tiers where id in ${sql(targets.map((t) => t.tierId))}`;
    for (const tier of counters)
      expect(tier.held).toBe(live.find((l) => l.tierId === tier.id)?.quantity ?? 0);
  });

  it('refuses a reservation total beyond the largest Int with BAD_USER_INPUT (not a 500), writing nothing', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      tiers: [
        { name: 'Gold', priceCents: 1_500_000_000, capacity: 5, maxPerOrder: 1 },
        { name: 'Platinum', priceCents: 1_500_000_000, capacity: 5, maxPerOrder: 1 },
      ],
    });
    const rich = await buyer();
    const before = await written(rich.userId);
    const res = await api.hold(rich.token, eventId, [
      { tierId: tierIds[0]!, quantity: 1 },
      { tierId: tierIds[1]!, quantity: 1 },
    ]);
    expect(res.status).toBe(200);
    expect(errorOf(res)?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/total/i);
    expect(await written(rich.userId)).toEqual(before);
    // One of them alone fits.
    expect((await api.held(rich.token, eventId, [{ tierId: tierIds[0]!, quantity: 1 }])).totalCents).toBe(
      1_500_000_000,
    );
  });

  it('refuses tier and item integers outside what can be stored or sold with BAD_USER_INPUT', async () => {
    const { eventId, tierIds } = await createEvent(stack, organizer);
    const tier = (input: Record<string, unknown>) =>
      stack.call(
        ADD_TIER,
        { e: eventId, i: { name: 'Odd', priceCents: 1_000, currency: 'EUR', capacity: 10, ...input } },
        organizer,
      );
    const refused = [
      { priceCents: 3_000_000_000 }, // beyond Int
      { priceCents: -1 },
      { priceCents: 2_000_000_000, maxPerOrder: 2 }, // a full order's total is beyond Int
      { capacity: 2_147_483_647 },
      { capacity: 10_000_000_000 },
      { capacity: 0 },
      { maxPerOrder: 2_147_483_647 },
      { maxPerOrder: 0 },
    ];
    const outcomes = [];
    for (const input of refused) {
      const res = await tier(input);
      outcomes.push({
        input,
        status: res.status,
        code: errorOf(res)?.code,
        message: res.errors?.[0]?.message,
      });
    }
    expect(outcomes.filter((o) => o.code !== 'BAD_USER_INPUT' || o.status >= 500)).toEqual([]);
    const count = await sql<{ n: number }[]>`
      select count(*)::int as n from tickets.ticket_tiers where event_id = ${eventId}`;
    expect(count[0]!.n).toBe(1);

    const someone = await buyer();
    const items = [];
    for (const quantity of [0, -1, 101, 2_147_483_647, 3_000_000_000]) {
      const res = await api.hold(someone.token, eventId, [{ tierId: tierIds[0]!, quantity }]);
      items.push({ quantity, status: res.status, code: errorOf(res)?.code });
    }
    expect(items.filter((o) => o.code !== 'BAD_USER_INPUT' || o.status >= 500)).toEqual([]);
    expect((await written(someone.userId)).reservations).toBe(0);
  });
});

describe('holding a tier has a ceiling (RESERVATION_TTL_SECONDS=2, so HOLD_CEILING_SECONDS=4)', () => {
  let stack: TestStack;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    stack = await startTestStack({ RESERVATION_TTL_SECONDS: '2', SWEEP_INTERVAL_MS: '200' });
    api = client(stack);
  });
  afterAll(() => stack?.stop());

  it('release and re-hold, or letting holds lapse and re-holding, ends at the ceiling; then a cool-down', async () => {
    const organizer = (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token;
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      tiers: [
        { name: 'VIP', priceCents: 9_900, capacity: 4, maxPerOrder: 4 },
        { name: 'GA', priceCents: 1_000, capacity: 50 },
      ],
    });
    const [vip, ga] = [tierIds[0]!, tierIds[1]!];
    const squatter = await stack.signUp('squatter@example.com');
    const item = [{ tierId: vip, quantity: 4 }];

    // The window starts with the first hold: it runs until first.expiresAt - TTL + ceiling.
    const first = await api.held(squatter.token, eventId, item);
    const windowEnd = new Date(first.expiresAt).getTime() + 2_000;
    expect((await stack.call(RELEASE, { id: first.id }, squatter.token)).errors).toBeUndefined();
    const second = await api.held(squatter.token, eventId, item);
    expect(new Date(second.expiresAt).getTime()).toBeLessThanOrEqual(windowEnd);

    // Let it lapse, hold again: still inside the window, so it ends when the window does.
    await sleep(new Date(second.expiresAt).getTime() - Date.now() + 100);
    // The sweeper (every 200 ms here) may be releasing that very hold: a new hold skips holds
    // another transaction has locked, so for a moment it can still read as SOLD_OUT.
    const third = await eventually(async () => api.held(squatter.token, eventId, item), 3_000);
    expect(new Date(third.expiresAt).getTime()).toBeLessThanOrEqual(windowEnd);

    // Past the ceiling: refused for one cool-down (one TTL after the last hold ran out).
    await sleep(windowEnd - Date.now() + 100);
    const fourth = await api.hold(squatter.token, eventId, item);
    expect(errorOf(fourth)).toMatchObject({ code: 'CONFLICT', reason: 'HOLD_CEILING', tierId: vip });
    const retryAfter = errorOf(fourth)!.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    // Meanwhile the seats are everyone's, and another tier is the squatter's to hold.
    const fan = await stack.signUp('fan@example.com');
    const fans = await api.held(fan.token, eventId, item);
    await api.held(squatter.token, eventId, [{ tierId: ga, quantity: 1 }]);
    expect((await stack.call(RELEASE, { id: fans.id }, fan.token)).errors).toBeUndefined();

    // After the cool-down a new window starts, with a whole TTL.
    await sleep(retryAfter * 1_000 + 100);
    const again = await api.held(squatter.token, eventId, item);
    expect(new Date(again.expiresAt).getTime()).toBeGreaterThan(windowEnd + 1_000);
  });
});
