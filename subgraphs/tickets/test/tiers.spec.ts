import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorCodes, graphql } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD_TIER, AVAILABILITY, eventWithTier, reserve, TIER, type Tier } from './fixtures.js';
import { startTickets, type World } from './harness.js';

/** A stand-in for the events subgraph: answers `_entities` from a map, remembers the headers it got. */
const known = new Map<string, Record<string, unknown>>();
const seenHeaders: IncomingHttpHeaders[] = [];
let stub: Server;
let t: World;
const statements: string[] = [];

beforeAll(async () => {
  stub = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seenHeaders.push(req.headers);
      const { variables } = JSON.parse(body) as { variables: { r: { id: string }[] } };
      const entities = variables.r.map((ref) => known.get(ref.id) ?? null);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { _entities: entities } }));
    });
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const eventsUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/graphql`;
  t = await startTickets({ env: { EVENTS_URL: eventsUrl }, deps: { onQuery: (q) => statements.push(q) } });
});
afterAll(async () => {
  await t.stop();
  await new Promise((resolve) => stub.close(resolve));
});

const input = (overrides: Record<string, unknown> = {}) => ({
  name: 'Floor',
  priceCents: 4500,
  currency: 'EUR',
  capacity: 100,
  ...overrides,
});

function stubEvent(eventId: string, organizerId: string, status = 'PUBLISHED') {
  known.set(eventId, {
    id: eventId,
    status,
    title: 'Stub event',
    startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    endsAt: new Date(Date.now() + 90_000_000).toISOString(),
    organizer: { id: organizerId },
  });
}

describe('addTicketTier', () => {
  it('lets the organizer and an ADMIN add tiers, nobody else', async () => {
    const organizerId = randomUUID();
    const eventId = await t.publishEvent({ organizerId });
    const own = await t.call<{ addTicketTier: Tier }>(
      ADD_TIER,
      { e: eventId, i: input({ salesStartAt: '2020-01-01T00:00:00+02:00' }) },
      await t.token(organizerId, ['ORGANIZER']),
    );
    expect(own.data!.addTicketTier).toMatchObject({
      name: 'Floor',
      priceCents: 4500,
      currency: 'EUR',
      capacity: 100,
      available: 100,
      maxPerOrder: 10,
      salesStartAt: '2019-12-31T22:00:00.000Z',
      salesEndAt: null,
    });
    const admin = await t.call(ADD_TIER, { e: eventId, i: input() }, await t.token(randomUUID(), ['ADMIN']));
    expect(admin.errors).toBeUndefined();
    const other = await t.call(
      ADD_TIER,
      { e: eventId, i: input() },
      await t.token(randomUUID(), ['ORGANIZER']),
    );
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    // Owning the event is not enough without the ORGANIZER role.
    const withoutRole = await t.call(ADD_TIER, { e: eventId, i: input() }, await t.token(organizerId));
    expect(errorCodes(withoutRole)).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.call(ADD_TIER, { e: eventId, i: input() }))).toEqual(['UNAUTHENTICATED']);
    const [row] =
      await t.sql`select count(*)::int as n from tickets.ticket_tiers where event_id = ${eventId}`;
    expect(row!.n).toBe(2);
  });

  it('refuses invalid tiers with BAD_USER_INPUT and writes nothing', async () => {
    const organizerId = randomUUID();
    const eventId = await t.publishEvent({ organizerId });
    const token = await t.token(organizerId, ['ORGANIZER']);
    const bad = [
      { name: ' ' },
      { name: 'x'.repeat(101) },
      { priceCents: -1 },
      { currency: 'eur' },
      { currency: 'EURO' },
      { capacity: 0 },
      { capacity: 1_000_001 },
      { maxPerOrder: 0 },
      { maxPerOrder: 101 },
      { capacity: 5, maxPerOrder: 6 },
      { salesStartAt: '2030-01-02T00:00:00Z', salesEndAt: '2030-01-01T00:00:00Z' },
      { salesStartAt: 'tomorrow' },
    ];
    for (const overrides of bad) {
      const res = await t.call(ADD_TIER, { e: eventId, i: input(overrides) }, token);
      expect(errorCodes(res), JSON.stringify(overrides)).toEqual(['BAD_USER_INPUT']);
    }
    const [row] =
      await t.sql`select count(*)::int as n from tickets.ticket_tiers where event_id = ${eventId}`;
    expect(row!.n).toBe(0);
  });

  it('refuses a cancelled event with CONFLICT and an unknown one with NOT_FOUND', async () => {
    const organizerId = randomUUID();
    const token = await t.token(organizerId, ['ORGANIZER']);
    const eventId = await t.publishEvent({ organizerId, status: 'CANCELLED' });
    expect(errorCodes(await t.call(ADD_TIER, { e: eventId, i: input() }, token))).toEqual(['CONFLICT']);
    expect(errorCodes(await t.call(ADD_TIER, { e: randomUUID(), i: input() }, token))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await t.call(ADD_TIER, { e: 'not-an-id', i: input() }, token))).toEqual(['NOT_FOUND']);
  });
});

describe('event directory', () => {
  it('applies snapshots once and only when their version is newer', async () => {
    const organizerId = randomUUID();
    const eventId = randomUUID();
    await t.publishEvent({ eventId, organizerId, version: 5, title: 'Fifth' });
    await t.publishEvent({ eventId, organizerId: randomUUID(), version: 3, title: 'Third' });
    await t.publishEvent({ eventId, organizerId, version: 5, title: 'Fifth again' });
    const [row] =
      await t.sql`select title, version, organizer_id from tickets.event_directory where event_id = ${eventId}`;
    expect(row).toEqual({ title: 'Fifth', version: 5, organizer_id: organizerId });
    await t.publishEvent({ eventId, organizerId, version: 6, status: 'CANCELLED' });
    await t.publishEvent({ eventId, organizerId, version: 7, status: 'PUBLISHED', title: 'Seventh' });
    const [after] =
      await t.sql`select title, status from tickets.event_directory where event_id = ${eventId}`;
    expect(after).toEqual({ title: 'Seventh', status: 'CANCELLED' });
  });

  it('asks the events subgraph about an unknown event, on the caller`s behalf', async () => {
    const organizerId = randomUUID();
    const eventId = randomUUID();
    stubEvent(eventId, organizerId);
    const token = await t.token(organizerId, ['ORGANIZER']);
    seenHeaders.length = 0;
    const res = await t.call(ADD_TIER, { e: eventId, i: input() }, token);
    expect(res.errors).toBeUndefined();
    expect(seenHeaders[0]).toMatchObject({
      'x-marquee-internal': t.internalSecret,
      authorization: `Bearer ${token}`,
    });
    const [row] =
      await t.sql`select status, organizer_id from tickets.event_directory where event_id = ${eventId}`;
    expect(row).toEqual({ status: 'PUBLISHED', organizer_id: organizerId });
  });

  it('refreshes an entry too stale to allow the action (DRAFT, another organizer)', async () => {
    const organizerId = randomUUID();
    const eventId = await t.publishEvent({ organizerId, status: 'DRAFT' });
    const added = await t.call<{ addTicketTier: Tier }>(
      ADD_TIER,
      { e: eventId, i: input() },
      await t.token(organizerId, ['ORGANIZER']),
    );
    const tierId = added.data!.addTicketTier.id;
    const attendee = await t.token(randomUUID());
    expect(errorCodes(await reserve(t, attendee, eventId, tierId))).toEqual(['CONFLICT']);
    const newOrganizer = randomUUID();
    stubEvent(eventId, newOrganizer, 'PUBLISHED');
    expect((await reserve(t, attendee, eventId, tierId)).errors).toBeUndefined();
    const res = await t.call(
      ADD_TIER,
      { e: eventId, i: input() },
      await t.token(newOrganizer, ['ORGANIZER']),
    );
    expect(res.errors).toBeUndefined();
  });

  it('treats an event the events subgraph does not show the caller as unknown', async () => {
    const res = await t.call(ADD_TIER, { e: randomUUID(), i: input() }, await t.token(randomUUID()));
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
  });
});

describe('reading tiers and availability', () => {
  it('answers Event.ticketTiers and Event.availability for 20 events in a bounded number of statements', async () => {
    const events = [];
    for (let i = 0; i < 20; i++) events.push(await eventWithTier(t, { capacity: 5 + i }));
    const representations = events.map((e) => ({ __typename: 'Event', id: e.eventId }));
    statements.length = 0;
    const res = await t.call<{ _entities: { ticketTiers: Tier[]; availability: { capacity: number } }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event {
        id ticketTiers { ${TIER} } availability { status capacity tiers { tierId available } } } } }`,
      { r: representations },
    );
    // Our statements (the relay's polling and driver bookkeeping run alongside).
    const ours = statements.filter((s) => /"tickets"\./.test(s) && !/outbox/.test(s));
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((e) => e.availability.capacity)).toEqual(events.map((_, i) => 5 + i));
    expect(res.data!._entities.every((e) => e.ticketTiers.length === 1)).toBe(true);
    expect(ours.length).toBeLessThanOrEqual(2);
  });

  it('resolves TicketTier references, and null for ids that name nothing', async () => {
    const { tierId } = await eventWithTier(t);
    const res = await t.call(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on TicketTier { id capacity } } }`,
      {
        r: [
          { __typename: 'TicketTier', id: tierId },
          { __typename: 'TicketTier', id: 'bogus' },
          { __typename: 'TicketTier', id: randomUUID() },
        ],
      },
    );
    expect(res.data).toEqual({ _entities: [{ id: tierId, capacity: 10 }, null, null] });
  });

  it('gives an unknown event an empty, not-on-sale availability', async () => {
    const res = await t.call(AVAILABILITY, { r: [{ __typename: 'Event', id: randomUUID() }] });
    expect(res.data).toMatchObject({
      _entities: [{ availability: { capacity: 0, available: 0, status: 'NOT_ON_SALE', tiers: [] } }],
    });
  });
});

describe('the subgraph boundary', () => {
  it('refuses requests without the internal credential', async () => {
    const res = await graphql(t.url, '{ __typename }');
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('answers bad ids, cursors and tokens with clean codes, never a stack or SQL', async () => {
    const token = await t.token(randomUUID());
    const responses = [
      await t.call(`query { order(id: "1; drop table x") { id } }`, {}, token),
      await t.call(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders(after: "garbage") { totalCount } } } }`,
        { r: [{ __typename: 'User', id: 'not-a-uuid' }] },
        await t.token('not-a-uuid', ['ADMIN']),
      ),
      await t.call(`mutation { releaseReservation(id: "nope") { id } }`, {}, token),
      await t.call(
        `mutation { checkout(reservationId: "nope", paymentToken: "tok_ok", idempotencyKey: "k") { id } }`,
        {},
        token,
      ),
      await t.call(`mutation { checkInTicket(code: "${'x'.repeat(500)}") { id } }`, {}, token),
      await t.call(`{ __typename }`, {}, 'not.a.token'),
    ];
    expect(responses.map((r) => errorCodes(r)[0])).toEqual([
      'NOT_FOUND',
      'BAD_USER_INPUT',
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'UNAUTHENTICATED',
    ]);
    for (const res of responses) expect(JSON.stringify(res)).not.toMatch(/stack|select |insert |tickets\./i);
  });
});
