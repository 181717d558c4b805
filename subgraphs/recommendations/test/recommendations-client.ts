import type { EventChanged } from '@marquee/bus';
import { expect } from 'vitest';
import { DAY, HOUR, type EventOverrides, type Harness } from './harness.js';

/** What recommendation tests share: the query, a typed call, and a few event shapes. */
export interface Rec {
  event: { id: string };
  score: number;
  reasons: string[];
}

export const RECOMMENDED = `query($r: [_Any!]!, $first: Int) {
  _entities(representations: $r) { ... on User { id recommendedEvents(first: $first) { event { id } score reasons } } }
}`;

export function recommendationsClient(harness: () => Harness) {
  const h = () => harness();
  return {
    async recommended(user: { id: string; token?: string }, first?: number): Promise<Rec[]> {
      const res = await h().call<{ _entities: { recommendedEvents: Rec[] }[] }>(
        RECOMMENDED,
        { r: [{ __typename: 'User', id: user.id }], ...(first === undefined ? {} : { first }) },
        user.token,
      );
      expect(res.errors).toBeUndefined();
      return res.data!._entities[0]!.recommendedEvents;
    },
    /**
     * An event that already happened, over an hour ago (still in the catalog, so it tells what
     * a user likes). Views of it now are refused: `sawPast` views it while it was on.
     */
    past(categories: string[], city = 'Berlin', overrides: EventOverrides = {}) {
      const now = h().now.getTime();
      return h().event({
        categories,
        city,
        startsAt: new Date(now - 4 * HOUR).toISOString(),
        endsAt: new Date(now - HOUR).toISOString(),
        ...overrides,
      });
    },
    /** `token`'s user viewed a past event in its last hour. */
    sawPast(event: EventChanged, token: string) {
      return h().view(event.eventId, token, new Date(Date.parse(event.endsAt) - HOUR));
    },
    /** `n` other signed-in users view the event. */
    async popular(eventId: string, n: number) {
      for (let i = 0; i < n; i++) await h().view(eventId, (await h().user()).token);
    },
    inDays: (days: number) => new Date(h().now.getTime() + days * DAY).toISOString(),
  };
}

export const ids = (recs: Rec[]) => recs.map((r) => r.event.id);
