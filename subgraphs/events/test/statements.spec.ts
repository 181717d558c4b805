import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, inDays, startEvents, type EventsHarness, type Person } from './harness.js';

let h: EventsHarness;
let organizers: Person[];
let counting = false;
const statements: string[] = [];

beforeAll(async () => {
  h = await startEvents({
    onQuery: (query) => {
      if (counting) statements.push(query);
    },
  });
  const f = fixtures(h);
  organizers = await Promise.all(Array.from({ length: 20 }, () => h.person('ORGANIZER')));
  const venues = await Promise.all(
    ['Berlin', 'Hamburg', 'Köln', 'Leipzig', 'Dresden'].map((city) =>
      f.venue(organizers[0]!.token, { city }),
    ),
  );
  // A catalogue of 20 events, each by another organizer, each organizer with a draft too.
  for (const [i, organizer] of organizers.entries()) {
    const venueId = venues[i % venues.length]!.id;
    await f.published(organizer.token, venueId, { startsAt: inDays(10 + i), endsAt: inDays(10.2 + i) });
    await f.event(organizer.token, venueId, { startsAt: inDays(40 + i), endsAt: inDays(40.2 + i) });
  }
  await h.settle();
});
afterAll(() => h.stop());

/** Statements a request sends, leaving out the outbox relay's (it runs on its own). */
async function countStatements(run: () => Promise<unknown>): Promise<string[]> {
  await h.settle();
  statements.length = 0;
  counting = true;
  try {
    await run();
  } finally {
    counting = false;
  }
  const sent = statements.filter((s) => !/outbox/i.test(s) && !/^\s*(begin|commit|rollback)\b/i.test(s));
  expect(sent.length, 'statements are being counted').toBeGreaterThan(0);
  return sent;
}

describe('no N+1', () => {
  it('serves a 20-event catalogue with its venues and organizers in a fixed number of statements', async () => {
    let result: { events: { edges: unknown[] } } | undefined;
    const sent = await countStatements(async () => {
      result = await h.ok(
        `{ events(first: 20) { edges { node { id title venue { name city } organizer { id } } } } }`,
      );
    });
    expect(result!.events.edges).toHaveLength(20);
    expect(sent.length, sent.join('\n')).toBeLessThanOrEqual(2);
  });

  it("resolves 20 organizers' organizedEvents with counts and venues in a fixed number of statements", async () => {
    let result: { _entities: { organizedEvents: { totalCount: number; edges: unknown[] } }[] } | undefined;
    const sent = await countStatements(async () => {
      result = await h.ok(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id
          organizedEvents(first: 5) { totalCount edges { node { id title venue { name } } } pageInfo { hasNextPage } } } } }`,
        { r: organizers.map((o) => ({ __typename: 'User', id: o.id })) },
        organizers[3]!.token,
      );
    });
    const lists = result!._entities.map((u) => u.organizedEvents);
    expect(lists).toHaveLength(20);
    // The caller sees their own draft; everyone else's list holds only the published event.
    expect(lists.map((l) => l.totalCount)).toEqual(lists.map((_, i) => (i === 3 ? 2 : 1)));
    expect(lists.map((l) => l.edges.length)).toEqual(lists.map((_, i) => (i === 3 ? 2 : 1)));
    expect(sent.length, sent.join('\n')).toBeLessThanOrEqual(3);
  });

  it('resolves 20 Event references in one statement, plus one for their venues', async () => {
    const { events } = await h.ok<{ events: { edges: { node: { id: string } }[] } }>(
      `{ events(first: 20) { edges { node { id } } } }`,
    );
    let result: { _entities: unknown[] } | undefined;
    const sent = await countStatements(async () => {
      result = await h.ok(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Event { id venue { city } } } }`,
        { r: events.edges.map((e) => ({ __typename: 'Event', id: e.node.id })) },
      );
    });
    expect(result!._entities.filter(Boolean)).toHaveLength(20);
    expect(sent.length, sent.join('\n')).toBeLessThanOrEqual(2);
  });
});
