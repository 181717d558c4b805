import { randomUUID } from 'node:crypto';
import { errorCodes, eventually } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD_TIER,
  buyer,
  checkout,
  counters,
  eventWithTier,
  expectLedgerMatchesCounters,
  expireHold,
  RELEASE,
  RESERVE,
  reserve,
  reserved,
  type Reservation,
  type Tier,
} from './fixtures.js';
import { startTickets, type World } from './harness.js';

let t: World;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

const reasonOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  res.errors?.[0]?.extensions?.reason;

async function addTier(t: World, eventId: string, organizer: string, input: Record<string, unknown> = {}) {
  const res = await t.call<{ addTicketTier: Tier }>(
    ADD_TIER,
    { e: eventId, i: { name: 'Extra', priceCents: 1000, currency: 'EUR', capacity: 10, ...input } },
    organizer,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.addTicketTier.id;
}

describe('reserveTickets', () => {
  it('holds seats for RESERVATION_TTL_SECONDS and prices the reservation', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const before = Date.now();
    const res = await reserve(t, who.token, eventId, tierId, 3);
    const reservation = res.data!.reserveTickets;
    expect(reservation).toMatchObject({
      status: 'HELD',
      totalCents: 7500,
      currency: 'EUR',
      event: { id: eventId },
      items: [{ quantity: 3, tier: { id: tierId, available: 7 } }],
    });
    const ttl = Date.parse(reservation.expiresAt) - before;
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThan(610_000);
    expect(await counters(t, tierId)).toEqual({ sold: 0, held: 3, capacity: 10 });
    const [outbox] = await t.sql`select count(*)::int as n from tickets.outbox
      where topic = 'tickets.availability-changed' and payload->>'eventId' = ${eventId}`;
    expect(outbox!.n).toBe(3); // the event arrived, a tier was added, seats were held
  });

  it('needs a signed-in user', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const res = await t.call(RESERVE, { e: eventId, items: [{ tierId, quantity: 1 }], k: 'k' });
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses malformed requests with BAD_USER_INPUT', async () => {
    const { eventId, tierId, organizer } = await eventWithTier(t);
    const other = await eventWithTier(t);
    const usd = await addTier(t, eventId, organizer, { currency: 'USD' });
    const who = await buyer(t);
    const cases = [
      [],
      [{ tierId, quantity: 0 }],
      [{ tierId, quantity: 11 }],
      [
        { tierId, quantity: 1 },
        { tierId, quantity: 1 },
      ],
      [{ tierId: other.tierId, quantity: 1 }],
      [{ tierId: 'nope', quantity: 1 }],
      [{ tierId: randomUUID(), quantity: 1 }],
      [
        { tierId, quantity: 1 },
        { tierId: usd, quantity: 1 },
      ],
    ];
    for (const items of cases) {
      const res = await t.call(RESERVE, { e: eventId, items, k: randomUUID() }, who.token);
      expect(errorCodes(res), JSON.stringify(items)).toEqual(['BAD_USER_INPUT']);
    }
    const keyTooLong = await reserve(t, who.token, eventId, tierId, 1, 'k'.repeat(201));
    expect(errorCodes(keyTooLong)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await reserve(t, who.token, 'nope', tierId))).toEqual(['NOT_FOUND']);
    expect(await counters(t, tierId)).toMatchObject({ held: 0 });
    const [written] =
      await t.sql`select count(*)::int as n from tickets.reservations where user_id = ${who.id}`;
    expect(written!.n).toBe(0);
  });

  it('sells only what is on sale: PUBLISHED, not ended, inside the sales window', async () => {
    const who = await buyer(t);
    const organizerId = randomUUID();
    const organizer = await t.token(organizerId, ['ORGANIZER']);
    const draft = await t.publishEvent({ organizerId, status: 'DRAFT' });
    const ended = await t.publishEvent({
      organizerId,
      startsAt: '2020-01-01T18:00:00Z',
      endsAt: '2020-01-01T22:00:00Z',
    });
    const cancelled = await t.publishEvent({ organizerId });
    const cases = [
      [draft, await addTier(t, draft, organizer), 'NOT_ON_SALE'],
      [ended, await addTier(t, ended, organizer), 'NOT_ON_SALE'],
      [cancelled, await addTier(t, cancelled, organizer), 'EVENT_CANCELLED'],
    ] as const;
    await t.publishEvent({ eventId: cancelled, organizerId, status: 'CANCELLED', version: 1_000 });
    const { eventId, organizer: own } = await eventWithTier(t);
    const later = await addTier(t, eventId, own, {
      salesStartAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const over = await addTier(t, eventId, own, {
      salesStartAt: '2020-01-01T00:00:00Z',
      salesEndAt: '2021-01-01T00:00:00Z',
    });
    for (const [e, tierId, reason] of [
      ...cases,
      [eventId, later, 'NOT_ON_SALE'],
      [eventId, over, 'NOT_ON_SALE'],
    ]) {
      const res = await reserve(t, who.token, e, tierId);
      expect(errorCodes(res)).toEqual(['CONFLICT']);
      expect(reasonOf(res)).toBe(reason);
    }
    const [written] =
      await t.sql`select count(*)::int as n from tickets.reservations where user_id = ${who.id}`;
    expect(written!.n).toBe(0);
  });

  it('is all or nothing: one short item fails the whole reservation with SOLD_OUT', async () => {
    const { eventId, tierId, organizer } = await eventWithTier(t);
    const small = await addTier(t, eventId, organizer, { capacity: 2, maxPerOrder: 2 });
    const who = await buyer(t);
    await reserved(t, who.token, eventId, small, 2);
    const res = await t.call(
      RESERVE,
      {
        e: eventId,
        items: [
          { tierId, quantity: 4 },
          { tierId: small, quantity: 1 },
        ],
        k: randomUUID(),
      },
      who.token,
    );
    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(res.errors![0]!.extensions).toMatchObject({ reason: 'SOLD_OUT', tierId: small });
    expect(await counters(t, tierId)).toMatchObject({ held: 0 });
    await expectLedgerMatchesCounters(t);
  });
});

describe('idempotency', () => {
  it('returns the same reservation for the same key, even for parallel retries', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => reserve(t, who.token, eventId, tierId, 2, key)),
    );
    const ids = new Set(results.map((r) => r.data?.reserveTickets.id));
    expect(results.flatMap(errorCodes)).toEqual([]);
    expect(ids.size).toBe(1);
    expect(await counters(t, tierId)).toMatchObject({ held: 2 });
    const [row] = await t.sql`select count(*)::int as n from tickets.reservations where user_id = ${who.id}`;
    expect(row!.n).toBe(1);
  });

  it('refuses the same key with another payload, and keys are per user', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const first = await reserve(t, who.token, eventId, tierId, 1, 'shared-key');
    const changed = await reserve(t, who.token, eventId, tierId, 2, 'shared-key');
    expect(errorCodes(changed)).toEqual(['CONFLICT']);
    expect(reasonOf(changed)).toBe('IDEMPOTENCY_KEY_REUSED');
    const someoneElse = await reserve(t, (await buyer(t)).token, eventId, tierId, 1, 'shared-key');
    expect(someoneElse.data!.reserveTickets.id).not.toBe(first.data!.reserveTickets.id);
  });
});

describe('releaseReservation', () => {
  it('lets the owner release a hold once; seats go back', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const { id } = await reserved(t, who.token, eventId, tierId, 4);
    expect(errorCodes(await t.call(RELEASE, { id }, (await buyer(t)).token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.call(RELEASE, { id }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await t.call(RELEASE, { id: randomUUID() }, who.token))).toEqual(['NOT_FOUND']);
    const released = await t.call(RELEASE, { id }, who.token);
    expect(released.data).toEqual({ releaseReservation: { id, status: 'RELEASED' } });
    expect((await t.call(RELEASE, { id }, who.token)).data).toEqual(released.data);
    expect(await counters(t, tierId)).toMatchObject({ held: 0 });
    const [ledger] = await t.sql`select count(*)::int as n from tickets.inventory_ledger
      where reservation_id = ${id} and kind = 'RELEASED'`;
    expect(ledger!.n).toBe(1);
  });

  it('refuses to release a paid or expired reservation', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const who = await buyer(t);
    const paid = await reserved(t, who.token, eventId, tierId);
    expect((await checkout(t, who.token, paid.id)).errors).toBeUndefined();
    expect(errorCodes(await t.call(RELEASE, { id: paid.id }, who.token))).toEqual(['CONFLICT']);
    const late = await reserved(t, who.token, eventId, tierId);
    await expireHold(t, late.id);
    expect(errorCodes(await t.call(RELEASE, { id: late.id }, who.token))).toEqual(['CONFLICT']);
    expect(await counters(t, tierId)).toMatchObject({ sold: 1, held: 0 });
  });
});

describe('expiry', () => {
  it('takes effect without any worker: reads, checkout and new holds see it', async () => {
    const { eventId, tierId } = await eventWithTier(t, { capacity: 4, maxPerOrder: 4 });
    const who = await buyer(t);
    const key = randomUUID();
    const hold = (await reserve(t, who.token, eventId, tierId, 4, key)).data!.reserveTickets;
    expect(reasonOf(await reserve(t, who.token, eventId, tierId, 1))).toBe('SOLD_OUT');
    await expireHold(t, hold.id);
    const again = await reserve(t, who.token, eventId, tierId, 4, key);
    expect(again.data!.reserveTickets).toMatchObject({
      id: hold.id,
      status: 'EXPIRED',
      items: [{ tier: { available: 4 } }],
    });
    expect(reasonOf(await checkout(t, who.token, hold.id))).toBe('HOLD_EXPIRED');
    expect(await counters(t, tierId)).toMatchObject({ held: 4 }); // not swept yet
    // A new hold expires the stale one in its own transaction and takes the seats.
    const fresh = await reserved(t, who.token, eventId, tierId, 3);
    expect(fresh.status).toBe('HELD');
    expect(await counters(t, tierId)).toMatchObject({ held: 3 });
    const [row] = await t.sql`select status from tickets.reservations where id = ${hold.id}`;
    expect(row!.status).toBe('EXPIRED');
    await expectLedgerMatchesCounters(t);
  });

  it('is swept by sweepOnce, also with two replicas sweeping at once', async () => {
    const { eventId, tierId } = await eventWithTier(t);
    const holds = [];
    for (let i = 0; i < 6; i++) holds.push(await reserved(t, (await buyer(t)).token, eventId, tierId, 1));
    for (const hold of holds.slice(0, 5)) await expireHold(t, hold.id);
    const replica = await t.startReplica();
    try {
      const swept = await Promise.all([t.service.sweepOnce(), replica.sweepOnce()]);
      expect(swept[0]! + swept[1]!).toBe(5);
    } finally {
      await replica.close();
    }
    expect(await counters(t, tierId)).toMatchObject({ held: 1 });
    const [ledger] = await t.sql`select count(*)::int as n from tickets.inventory_ledger
      where tier_id = ${tierId} and kind = 'EXPIRED'`;
    expect(ledger!.n).toBe(5);
    expect(await t.service.sweepOnce()).toBe(0);
    await expectLedgerMatchesCounters(t);
  });

  it('runs the sweeper on its own every SWEEP_INTERVAL_MS, with RESERVATION_TTL_SECONDS honoured', async () => {
    await t.restart({
      env: { SWEEP_INTERVAL_MS: '100', RESERVATION_TTL_SECONDS: '60' },
      deps: { workers: {} },
    });
    try {
      const { eventId, tierId } = await eventWithTier(t);
      const who = await buyer(t);
      const before = Date.now();
      const hold: Reservation = await reserved(t, who.token, eventId, tierId, 2);
      expect(Date.parse(hold.expiresAt) - before).toBeLessThan(61_000);
      await expireHold(t, hold.id);
      await eventually(async () => expect(await counters(t, tierId)).toMatchObject({ held: 0 }));
    } finally {
      await t.restart();
    }
  });
});
