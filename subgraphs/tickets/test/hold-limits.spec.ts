import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD_TIER,
  buyer,
  checkout,
  counters,
  eventWithTier,
  expectLedgerMatchesCounters,
  RELEASE,
  RESERVE,
  reserve,
  reserved,
  type Reservation,
  type Tier,
} from './fixtures.js';
import { startTickets, type World } from './harness.js';

// Two live holds per user here (the default is 3); holds and the ceiling keep their defaults.
let t: World;
beforeAll(async () => {
  t = await startTickets({ env: { MAX_LIVE_HOLDS_PER_USER: '2' } });
});
afterAll(() => t.stop());

const extensionsOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  res.errors?.[0]?.extensions;

/** As if `seconds` had passed for this user: their reservations and windows move into the past. */
async function travel(userId: string, seconds: number) {
  const by = `${seconds} seconds`;
  await t.sql`update tickets.reservations set created_at = created_at - ${by}::interval,
    updated_at = updated_at - ${by}::interval, expires_at = expires_at - ${by}::interval where user_id = ${userId}`;
  await t.sql`update tickets.hold_windows set started_at = started_at - ${by}::interval where user_id = ${userId}`;
}

const secondsLeft = (r: Reservation) => (new Date(r.expiresAt).getTime() - Date.now()) / 1000;

async function threeTiers() {
  const first = await eventWithTier(t, { capacity: 50, maxPerOrder: 3 });
  const tierIds = [first.tierId];
  for (const name of ['B', 'C']) {
    const res = await t.call<{ addTicketTier: Tier }>(
      ADD_TIER,
      { e: first.eventId, i: { name, priceCents: 1000, currency: 'EUR', capacity: 50, maxPerOrder: 3 } },
      first.organizer,
    );
    tierIds.push(res.data!.addTicketTier.id);
  }
  return { ...first, tierIds };
}

describe('per-user hold limits', () => {
  it('30 parallel holds by one user on two replicas end exactly at MAX_LIVE_HOLDS_PER_USER', async () => {
    const { eventId, tierIds } = await threeTiers();
    const who = await buyer(t);
    const replica = await t.startReplica();
    try {
      const replies = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          t.callAt<{ reserveTickets: Reservation }>(
            i % 2 ? replica.url : t.url,
            RESERVE,
            { e: eventId, items: [{ tierId: tierIds[i % 3]!, quantity: 1 }], k: randomUUID() },
            who.token,
          ),
        ),
      );
      expect(replies.filter((r) => r.data)).toHaveLength(2);
      expect(new Set(replies.flatMap((r) => (r.errors ? [extensionsOf(r)?.reason] : [])))).toEqual(
        new Set(['HOLD_LIMIT']),
      );
      const [rows] =
        await t.sql`select count(*)::int as n from tickets.reservations where user_id = ${who.id}`;
      expect(rows!.n).toBe(2);
      const held = await Promise.all(tierIds.map(async (id) => (await counters(t, id)).held));
      expect(held.reduce((n, h) => n + h, 0)).toBe(2);
      await expectLedgerMatchesCounters(t);
    } finally {
      await replica.close();
    }
  });

  it('same-key retries racing at the limit all get the one reservation', async () => {
    const { eventId, tierId } = await eventWithTier(t, { capacity: 50 });
    const who = await buyer(t);
    await reserved(t, who.token, eventId, tierId);
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => reserve(t, who.token, eventId, tierId, 1, key)),
    );
    expect(replies.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(new Set(replies.map((r) => r.data!.reserveTickets.id)).size).toBe(1);
    expect(extensionsOf(await reserve(t, who.token, eventId, tierId))?.reason).toBe('HOLD_LIMIT');
  });

  it("sums a user's live holds on a tier against its maxPerOrder; expired holds do not count", async () => {
    const { eventId, tierId } = await eventWithTier(t, { capacity: 20, maxPerOrder: 3 });
    const who = await buyer(t);
    const first = await reserved(t, who.token, eventId, tierId, 2);
    const refused = await reserve(t, who.token, eventId, tierId, 2);
    expect(extensionsOf(refused)).toMatchObject({ code: 'CONFLICT', reason: 'TIER_LIMIT', tierId });
    expect(extensionsOf(refused)!.retryAfterSeconds).toBeGreaterThan(590);
    expect((await counters(t, tierId)).held).toBe(2);
    await reserved(t, who.token, eventId, tierId, 1);
    await t.sql`update tickets.reservations set expires_at = now() - interval '1 second' where id = ${first.id}`;
    await reserved(t, who.token, eventId, tierId, 2);
  });
});

describe('the holding window (10-minute holds, 20-minute ceiling, 10-minute cool-down)', () => {
  it('release and re-hold, or a lapse and a re-hold, end at the ceiling; then one cool-down', async () => {
    const { eventId, tierId } = await eventWithTier(t, { capacity: 10, maxPerOrder: 4 });
    const who = await buyer(t);
    const a = await reserved(t, who.token, eventId, tierId, 4);
    expect(secondsLeft(a)).toBeGreaterThan(595);
    await travel(who.id, 500);
    expect((await t.call(RELEASE, { id: a.id }, who.token)).errors).toBeUndefined();
    const b = await reserved(t, who.token, eventId, tierId, 4); // the window has 700 s left
    expect(secondsLeft(b)).toBeGreaterThan(595);
    await travel(who.id, 500);
    expect((await t.call(RELEASE, { id: b.id }, who.token)).errors).toBeUndefined();
    const c = await reserved(t, who.token, eventId, tierId, 4);
    expect(secondsLeft(c)).toBeGreaterThan(195); // to the window's end, not 600 s
    expect(secondsLeft(c)).toBeLessThanOrEqual(200);

    await travel(who.id, 300); // c lapsed 100 s ago, at the ceiling
    const [before] =
      await t.sql`select count(*)::int as n from tickets.reservations where user_id = ${who.id}`;
    const refused = await reserve(t, who.token, eventId, tierId, 1);
    expect(extensionsOf(refused)).toMatchObject({ code: 'CONFLICT', reason: 'HOLD_CEILING', tierId });
    expect(extensionsOf(refused)!.retryAfterSeconds).toBeGreaterThanOrEqual(499);
    expect(extensionsOf(refused)!.retryAfterSeconds).toBeLessThanOrEqual(500);
    const [after] =
      await t.sql`select count(*)::int as n from tickets.reservations where user_id = ${who.id}`;
    expect(after!.n).toBe(before!.n);

    await travel(who.id, 500); // one cool-down after c ran out
    const e = await reserved(t, who.token, eventId, tierId, 4);
    expect(secondsLeft(e)).toBeGreaterThan(595);
  });

  it('a hold that was paid for ends the window early: after one cool-down the buyer starts afresh', async () => {
    const { eventId, tierId } = await eventWithTier(t, { capacity: 10 });
    const who = await buyer(t);
    const first = await reserved(t, who.token, eventId, tierId);
    expect((await checkout(t, who.token, first.id)).errors).toBeUndefined();
    await travel(who.id, 700); // inside the 20 minutes, but nothing held for 10 of them
    const again = await reserved(t, who.token, eventId, tierId);
    expect(secondsLeft(again)).toBeGreaterThan(595);
    await travel(who.id, 1_000); // again lapsed 400 s ago: the window that began 1,000 s ago goes on
    const capped = await reserved(t, who.token, eventId, tierId);
    expect(secondsLeft(capped)).toBeLessThanOrEqual(200);
    const [row] = await t.sql`select expires_at <= now() + interval '200 seconds' as capped
      from tickets.reservations where id = ${capped.id}`;
    expect(row!.capped).toBe(true);
  });
});

describe('stored integers', () => {
  it('refuses a total beyond 2147483647 and a quantity beyond 100 with BAD_USER_INPUT, writing nothing', async () => {
    const { eventId, tierId, organizer } = await eventWithTier(t, {
      priceCents: 1_200_000_000,
      maxPerOrder: 1,
    });
    const res = await t.call<{ addTicketTier: Tier }>(
      ADD_TIER,
      {
        e: eventId,
        i: { name: 'Also dear', priceCents: 1_200_000_000, currency: 'EUR', capacity: 5, maxPerOrder: 1 },
      },
      organizer,
    );
    const other = res.data!.addTicketTier.id;
    const who = await buyer(t);
    const total = await t.call(
      RESERVE,
      {
        e: eventId,
        items: [
          { tierId, quantity: 1 },
          { tierId: other, quantity: 1 },
        ],
        k: randomUUID(),
      },
      who.token,
    );
    expect(extensionsOf(total)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
    expect(total.errors![0]!.message).toMatch(/total may be at most 2147483647/);
    const many = await reserve(t, who.token, eventId, tierId, 1_000_000_000);
    expect(extensionsOf(many)?.code).toBe('BAD_USER_INPUT');
    const tooDear = await t.call(
      ADD_TIER,
      {
        e: eventId,
        i: { name: 'Whole order', priceCents: 300_000_000, currency: 'EUR', capacity: 50, maxPerOrder: 10 },
      },
      organizer,
    );
    expect(extensionsOf(tooDear)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'priceCents' });
    const [rows] = await t.sql`select count(*)::int as n from tickets.reservations where user_id = ${who.id}`;
    expect(rows!.n).toBe(0);
    expect(await counters(t, tierId)).toMatchObject({ held: 0, sold: 0 });
  });
});
