import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decideHold, type HoldRequest, type HoldWindow, type LiveHold } from './hold-limits.js';

// The defaults: 10-minute holds, a 20-minute ceiling, a 10-minute cool-down.
const settings = { maxLiveHolds: 3, ceilingSeconds: 1_200, cooldownSeconds: 600 };
const T0 = new Date('2026-06-01T18:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const VIP = { id: 'vip', name: 'VIP', maxPerOrder: 4 };
const GA = { id: 'ga', name: 'GA', maxPerOrder: 10 };

function request(now: number, fields: Partial<Omit<HoldRequest, 'now'>> = {}): HoldRequest {
  return {
    now: at(now),
    items: [{ tierId: 'vip', quantity: 2 }],
    tiers: new Map([
      ['vip', VIP],
      ['ga', GA],
    ]),
    live: [],
    windows: new Map(),
    ...fields,
  };
}
const window = (startedAt: number, lastEnd: number | null): Map<string, HoldWindow> =>
  new Map([
    ['vip', { tierId: 'vip', startedAt: at(startedAt), lastEnd: lastEnd === null ? null : at(lastEnd) }],
  ]);
const live = (id: string, expiresAt: number, items: LiveHold['items'] = []): LiveHold => ({
  id,
  expiresAt: at(expiresAt),
  items,
});

function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return { message: (error as GraphQLError).message, ...(error as GraphQLError).extensions };
  }
  throw new Error('expected a refusal');
}

describe('decideHold', () => {
  it('starts a window with the first hold; the hold keeps its whole TTL', () => {
    expect(decideHold(request(0), settings)).toEqual({ until: at(1_200), newWindows: ['vip'] });
  });

  it('inside a window, a hold ends by window start + ceiling, however it was renewed', () => {
    // Released at 300 s and held again at once: the window that began at 0 goes on.
    expect(decideHold(request(300, { windows: window(0, 300) }), settings)).toEqual({
      until: at(1_200),
      newWindows: [],
    });
    // The hold lapsed at 600 s and the user holds again at 900 s: still the same window.
    expect(decideHold(request(900, { windows: window(0, 600) }), settings).until).toEqual(at(1_200));
  });

  it('past the ceiling: HOLD_CEILING until one cool-down after the last hold ended', () => {
    const refused = refusal(() => decideHold(request(1_200, { windows: window(0, 1_200) }), settings));
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      reason: 'HOLD_CEILING',
      tierId: 'vip',
      retryAfterSeconds: 600,
    });
    expect(refused.message).toMatch(/20 minutes/);
    expect(refusal(() => decideHold(request(1_750, { windows: window(0, 1_200) }), settings))).toMatchObject({
      retryAfterSeconds: 50,
    });
    // Then a new window, with a whole TTL.
    expect(decideHold(request(1_800, { windows: window(0, 1_200) }), settings)).toEqual({
      until: at(3_000),
      newWindows: ['vip'],
    });
  });

  it('a whole cool-down with nothing held on the tier starts a new window early', () => {
    // Paid for (or released) at 60 s, back at 700 s: not the window that began at 0.
    expect(decideHold(request(700, { windows: window(0, 60) }), settings)).toEqual({
      until: at(1_900),
      newWindows: ['vip'],
    });
  });

  it('takes the soonest window end among the tiers of one request, and refuses if one is over', () => {
    const windows = new Map([
      ['vip', { tierId: 'vip', startedAt: at(0), lastEnd: at(1_000) }],
      ['ga', { tierId: 'ga', startedAt: at(500), lastEnd: at(1_100) }],
    ]);
    const items = [
      { tierId: 'ga', quantity: 1 },
      { tierId: 'vip', quantity: 1 },
    ];
    expect(decideHold(request(1_000, { items, windows }), settings)).toEqual({
      until: at(1_200),
      newWindows: [],
    });
    expect(refusal(() => decideHold(request(1_300, { items, windows }), settings))).toMatchObject({
      reason: 'HOLD_CEILING',
      tierId: 'vip',
    });
  });

  it('HOLD_LIMIT at maxLiveHolds live holds, retry when the soonest runs out', () => {
    const holds = [live('a', 500), live('b', 200), live('c', 550)];
    expect(refusal(() => decideHold(request(100, { live: holds }), settings))).toMatchObject({
      code: 'CONFLICT',
      reason: 'HOLD_LIMIT',
      limit: 3,
      retryAfterSeconds: 100,
    });
    expect(decideHold(request(100, { live: holds.slice(0, 2) }), settings).newWindows).toEqual(['vip']);
  });

  it("TIER_LIMIT when the user's live holds on the tier would pass its maxPerOrder", () => {
    const holds = [
      live('a', 400, [{ tierId: 'vip', quantity: 1 }]),
      live('b', 300, [{ tierId: 'vip', quantity: 2 }]),
    ];
    // 3 held + 2 > 4: fits again once the 2 run out (at 300 s).
    expect(refusal(() => decideHold(request(100, { live: holds }), settings))).toMatchObject({
      reason: 'TIER_LIMIT',
      tierId: 'vip',
      retryAfterSeconds: 200,
    });
    const one = { items: [{ tierId: 'vip', quantity: 1 }], live: holds };
    expect(decideHold(request(100, one), settings).until).toEqual(at(1_300));
  });
});
