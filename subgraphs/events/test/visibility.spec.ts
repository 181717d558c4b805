import { errorCodes } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANCEL_EVENT,
  fixtures,
  inDays,
  startEvents,
  type EventView,
  type EventsHarness,
  type Person,
} from './harness.js';

let h: EventsHarness;
let organizer: Person;
let otherOrganizer: Person;
let attendee: Person;
let admin: Person;
let venueId: string;
let draft: EventView;
let published: EventView;
let cancelled: EventView;
let later: EventView;

beforeAll(async () => {
  h = await startEvents();
  const f = fixtures(h);
  organizer = await h.person('ATTENDEE', 'ORGANIZER');
  otherOrganizer = await h.person('ATTENDEE', 'ORGANIZER');
  attendee = await h.person('ATTENDEE');
  admin = await h.person('ATTENDEE', 'ADMIN');
  venueId = (await f.venue(organizer.token)).id;
  // Created out of order: lists must come back soonest first.
  later = await f.published(organizer.token, venueId, { startsAt: inDays(50), endsAt: inDays(51) });
  cancelled = await f.published(organizer.token, venueId, { startsAt: inDays(20), endsAt: inDays(21) });
  await h.ok(CANCEL_EVENT, { id: cancelled.id, reason: 'Storm warning' }, organizer.token);
  draft = await f.event(organizer.token, venueId, { startsAt: inDays(10), endsAt: inDays(11) });
  published = await f.published(organizer.token, venueId, { startsAt: inDays(30), endsAt: inDays(31) });
  // Someone else's event never shows up in this organizer's list.
  await f.published(otherOrganizer.token, venueId, { startsAt: inDays(15), endsAt: inDays(16) });
});
afterAll(() => h.stop());

const EVENT = `query($id: ID!) { event(id: $id) { id status cancellationReason } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event { id status } ... on Venue { id name } } }`;
const ORGANIZED = `query($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) { ... on User { id organizedEvents(first: $first, after: $after) {
    totalCount edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } } } }`;

type Organized = {
  _entities: {
    id: string;
    organizedEvents: {
      totalCount: number;
      edges: { cursor: string; node: { id: string; status: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }[];
};

const who = () => ({
  anonymous: undefined as Person | undefined,
  attendee,
  otherOrganizer,
  organizer,
  admin,
});
const seesDrafts = (name: string) => name === 'organizer' || name === 'admin';

describe('event(id)', () => {
  it('shows DRAFT events to their organizer and ADMINs only; others get null', async () => {
    for (const [name, person] of Object.entries(who())) {
      const res = await h.ok<{ event: { id: string } | null }>(EVENT, { id: draft.id }, person?.token);
      expect(res.event, name).toEqual(
        seesDrafts(name) ? { id: draft.id, status: 'DRAFT', cancellationReason: null } : null,
      );
    }
  });

  it('shows PUBLISHED and CANCELLED events to everyone', async () => {
    for (const person of Object.values(who())) {
      expect((await h.ok(EVENT, { id: published.id }, person?.token)).event).toMatchObject({
        status: 'PUBLISHED',
      });
      expect((await h.ok(EVENT, { id: cancelled.id }, person?.token)).event).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'Storm warning',
      });
    }
  });

  it('returns null for unknown and malformed ids', async () => {
    expect((await h.ok(EVENT, { id: '00000000-0000-4000-8000-000000000000' })).event).toBeNull();
    expect((await h.ok(EVENT, { id: 'drop table events' })).event).toBeNull();
  });
});

describe('entity references', () => {
  it('resolves Event references with the same visibility as event(id)', async () => {
    const representations = [
      { __typename: 'Event', id: draft.id },
      { __typename: 'Event', id: published.id },
      { __typename: 'Event', id: cancelled.id },
      { __typename: 'Event', id: '00000000-0000-4000-8000-000000000000' },
      { __typename: 'Event', id: 'junk' },
      { __typename: 'Venue', id: venueId },
      { __typename: 'Venue', id: 'junk' },
    ];
    for (const [name, person] of Object.entries(who())) {
      const res = await h.ok<{ _entities: unknown[] }>(ENTITIES, { r: representations }, person?.token);
      expect(res._entities, name).toEqual([
        seesDrafts(name) ? { id: draft.id, status: 'DRAFT' } : null,
        { id: published.id, status: 'PUBLISHED' },
        { id: cancelled.id, status: 'CANCELLED' },
        null,
        null,
        { id: venueId, name: 'Columbia Halle' },
        null,
      ]);
    }
  });

  it('resolves venue(id), with null for unknown ids', async () => {
    const q = `query($id: ID!) { venue(id: $id) { id city capacity } }`;
    expect((await h.ok(q, { id: venueId })).venue).toEqual({ id: venueId, city: 'Berlin', capacity: 3500 });
    expect((await h.ok(q, { id: 'nope' })).venue).toBeNull();
  });
});

describe('User.organizedEvents', () => {
  it('shows the organizer and ADMINs every event, others PUBLISHED and CANCELLED ones, soonest first', async () => {
    for (const [name, person] of Object.entries(who())) {
      const res = await h.ok<Organized>(
        ORGANIZED,
        { r: [{ __typename: 'User', id: organizer.id }] },
        person?.token,
      );
      const list = res._entities[0]!.organizedEvents;
      const expected = seesDrafts(name)
        ? [draft, cancelled, published, later]
        : [cancelled, published, later];
      expect(
        list.edges.map((e) => e.node.id),
        name,
      ).toEqual(expected.map((e) => e.id));
      expect(list.totalCount, name).toBe(expected.length);
      expect(list.pageInfo.hasNextPage).toBe(false);
    }
  });

  it('walks cursor pages without gaps or duplicates', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Organized = await h.ok<Organized>(
        ORGANIZED,
        { r: [{ __typename: 'User', id: organizer.id }], first: 1, after },
        organizer.token,
      );
      const list = res._entities[0]!.organizedEvents;
      expect(list.totalCount).toBe(4);
      seen.push(...list.edges.map((e) => e.node.id));
      if (!list.pageInfo.hasNextPage) break;
      after = list.pageInfo.endCursor;
    }
    expect(seen).toEqual([draft.id, cancelled.id, published.id, later.id]);
  });

  it('pages several users with different arguments in one request', async () => {
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User {
      a: organizedEvents(first: 1) { edges { node { id } } }
      b: organizedEvents(first: 2) { edges { node { id } } totalCount } } } }`;
    const res = await h.ok<{
      _entities: { a: { edges: unknown[] }; b: { edges: unknown[]; totalCount: number } }[];
    }>(q, {
      r: [
        { __typename: 'User', id: organizer.id },
        { __typename: 'User', id: otherOrganizer.id },
        { __typename: 'User', id: attendee.id },
        { __typename: 'User', id: 'not-a-uuid' },
      ],
    });
    expect(res._entities.map((u) => [u.a.edges.length, u.b.edges.length, u.b.totalCount])).toEqual([
      [1, 2, 3],
      [1, 1, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('refuses malformed cursors and negative first', async () => {
    const r = [{ __typename: 'User', id: organizer.id }];
    expect(errorCodes(await h.call(ORGANIZED, { r, after: 'garbage' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await h.call(ORGANIZED, { r, first: -1 }))).toEqual(['BAD_USER_INPUT']);
  });
});
