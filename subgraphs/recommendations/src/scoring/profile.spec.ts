import { describe, expect, it } from 'vitest';
import { buildProfile, profileFocus, type HistoryItem } from './profile.js';

const DAY = 86_400_000;
const now = new Date('2030-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

const item = (eventId: string, overrides: Partial<HistoryItem> = {}): HistoryItem => ({
  eventId,
  kind: 'VIEW',
  lastAt: now,
  title: `Event ${eventId}`,
  categories: [],
  organizerId: 'o-1',
  venueId: 'v-1',
  venueName: 'Blue Note',
  city: 'Berlin',
  latitude: 52.5,
  longitude: 13.4,
  ...overrides,
});

describe('buildProfile', () => {
  it('weighs purchases 3, views 1, each event once per kind, fading with a 30-day half-life', () => {
    const profile = buildProfile(
      [
        item('e1', { categories: ['jazz'] }),
        item('e1', { categories: ['jazz'], lastAt: daysAgo(2) }), // the same view again: counted once
        item('e2', { categories: ['Jazz '] }),
        item('e3', { categories: ['rock'], kind: 'PURCHASE', lastAt: daysAgo(30) }),
        item('e4', {
          categories: ['folk'],
          city: 'Munich',
          latitude: 48.1,
          longitude: 11.6,
          lastAt: daysAgo(60),
        }),
      ],
      now,
    );
    expect(profile.evidence).toBe(6); // 3 views + 1 purchase
    expect(profile.categories).toEqual([
      { category: 'jazz', weight: 2, viewed: 2, bought: 0 },
      { category: 'rock', weight: 1.5, viewed: 0, bought: 1 },
      { category: 'folk', weight: 0.25, viewed: 1, bought: 0 },
    ]);
    expect(profile.places.map((c) => [c.city, c.weight])).toEqual([
      ['Berlin', 3.5],
      ['Munich', 0.25],
    ]);
    expect(profile.purchases).toEqual([{ eventId: 'e3', title: 'Event e3' }]);
  });

  it('learns organizers (named by the user’s strongest event of theirs) and venues', () => {
    const profile = buildProfile(
      [
        item('a', { organizerId: 'o-1', venueId: 'v-1', title: 'Quiet Storm', lastAt: daysAgo(3) }),
        item('b', { organizerId: 'o-1', venueId: 'v-2', venueName: 'Moods', title: 'Late Set' }),
        item('c', {
          organizerId: 'o-2',
          venueId: 'v-1',
          title: 'Brass',
          kind: 'PURCHASE',
          lastAt: daysAgo(30),
        }),
      ],
      now,
    );
    expect(profile.organizers).toEqual([
      { organizerId: 'o-1', weight: 1.933032992, viewed: 2, bought: 0, example: 'Late Set' },
      { organizerId: 'o-2', weight: 1.5, viewed: 0, bought: 1, example: 'Brass' },
    ]);
    expect(profile.venues).toEqual([
      { venueId: 'v-1', name: 'Blue Note', weight: 2.433032992, viewed: 1, bought: 1 },
      { venueId: 'v-2', name: 'Moods', weight: 1, viewed: 1, bought: 0 },
    ]);
  });

  it('places the user at the weighted centre of their venues per city, by name where none is located', () => {
    const profile = buildProfile(
      [
        item('a', { latitude: 52.0, longitude: 13.0, kind: 'PURCHASE' }), // weight 3
        item('b', { latitude: 53.0, longitude: 14.0 }), // weight 1
        item('c', { city: 'Leipzig', latitude: null, longitude: null }),
      ],
      now,
    );
    expect(profile.places).toEqual([
      { city: 'Berlin', key: 'berlin', weight: 4, latitude: 52.25, longitude: 13.25 },
      { city: 'Leipzig', key: 'leipzig', weight: 1, latitude: null, longitude: null },
    ]);
  });

  it('does not depend on the order rows arrive in', () => {
    const rows = [
      item('a', { categories: ['x'] }),
      item('b', { categories: ['y'], city: 'Paris', kind: 'PURCHASE', lastAt: daysAgo(3) }),
      item('c', { categories: ['x', 'y'], city: 'paris', organizerId: 'o-2' }),
    ];
    expect(buildProfile([...rows].reverse(), now)).toEqual(buildProfile(rows, now));
  });

  it('focuses the candidate query on the strongest tastes and places', () => {
    const profile = buildProfile(
      [
        item('a', { categories: ['jazz'], kind: 'PURCHASE' }),
        item('b', {
          categories: ['rock'],
          organizerId: 'o-2',
          venueId: 'v-2',
          city: 'Paris',
          latitude: null,
        }),
      ],
      now,
    );
    const focus = profileFocus(profile);
    expect(focus).toMatchObject({
      categories: ['jazz', 'rock'],
      organizers: ['o-1', 'o-2'],
      venues: ['v-1', 'v-2'],
      purchases: ['a'],
    });
    expect(focus.places.map((p) => p.key)).toEqual(['berlin', 'paris']);
  });
});
