import { describe, expect, it } from 'vitest';
import { generateWorld, type WorldOptions } from './synthetic.js';

const options: WorldOptions = {
  seed: 7,
  now: new Date('2030-06-01T12:00:00Z'),
  users: 200,
  futureEvents: 150,
  pastEvents: 50,
  organizers: 20,
  interactions: 2_000,
  holdOut: true,
};

describe('generateWorld', () => {
  const world = generateWorld(options);

  it('is the same world for the same seed, another for another seed', () => {
    expect(generateWorld(options)).toEqual(world);
    expect(generateWorld({ ...options, seed: 8 }).events[0]!.id).not.toBe(world.events[0]!.id);
  });

  it('has exactly the sizes asked for, and interactions that the projections accept', () => {
    expect(world.users).toHaveLength(200);
    expect(world.events).toHaveLength(200);
    expect(world.interactions).toHaveLength(2_000);
    const now = options.now.getTime();
    const dailyViews = new Set<string>();
    for (const i of world.interactions) {
      expect(i.occurredAt.getTime()).toBeLessThan(now);
      if (i.kind === 'PURCHASE') expect(i.orderId).toMatch(/^[0-9a-f-]{36}$/);
      if (i.kind === 'VIEW' && i.userId) {
        const key = `${i.userId}/${i.eventId}/${i.occurredAt.toISOString().slice(0, 10)}`;
        expect(dailyViews.has(key)).toBe(false);
        dailyViews.add(key);
      }
    }
  });

  it('holds out one upcoming, published purchase per user, never also in the interactions', () => {
    expect(world.holdouts.size).toBeGreaterThan(180);
    const events = new Map(world.events.map((e) => [e.id, e]));
    for (const [userId, eventId] of world.holdouts) {
      const event = events.get(eventId)!;
      expect(event.status).toBe('PUBLISHED');
      expect(event.startsAt.getTime()).toBeGreaterThan(options.now.getTime());
      expect(world.interactions.some((i) => i.userId === userId && i.eventId === eventId)).toBe(false);
    }
  });

  it('plants tastes: users pick their home city and favourite categories far more often than chance', () => {
    const users = new Map(world.users.map((u) => [u.id, u]));
    const events = new Map(world.events.map((e) => [e.id, e]));
    const share = (test: (e: (typeof world.events)[number]) => boolean) =>
      world.events.filter(test).length / world.events.length;
    const observed = { home: 0, favourite: 0 };
    const chance = { home: 0, favourite: 0 };
    let signedIn = 0;
    for (const i of world.interactions) {
      if (!i.userId) continue;
      const user = users.get(i.userId)!;
      const event = events.get(i.eventId)!;
      const inHome = (e: { city: string }) => e.city === user.city;
      const liked = (e: { categories: string[] }) => e.categories.some((c) => user.favourites.includes(c));
      signedIn += 1;
      observed.home += inHome(event) ? 1 : 0;
      observed.favourite += liked(event) ? 1 : 0;
      chance.home += share(inHome);
      chance.favourite += share(liked);
    }
    expect(signedIn).toBeGreaterThan(1_000);
    expect(observed.home / chance.home).toBeGreaterThan(3);
    expect(observed.favourite / chance.favourite).toBeGreaterThan(2);
  });
});
