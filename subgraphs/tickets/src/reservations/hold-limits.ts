import { conflict } from '@marquee/subgraph-kit';

/**
 * What one buyer may hold, so that one account cannot take the seats everyone else needs.
 * Checked inside the reserve transaction under a per-user lock (HoldLimitsRepository.lockUser),
 * so parallel requests of one user are counted one after the other.
 *
 * 1. Live holds: at most `maxLiveHolds` HELD, unexpired reservations per user, over all events
 *    (HOLD_LIMIT).
 * 2. Per tier: the user's live holds on a tier add up to at most its maxPerOrder (TIER_LIMIT);
 *    maxPerOrder caps the buyer, not just one request.
 * 3. The holding window, per user and tier, so that holds cannot be renewed forever:
 *    - A window starts with a hold when the user has held nothing on that tier for the last
 *      cool-down (`cooldownSeconds`, one RESERVATION_TTL_SECONDS): their first hold, or one
 *      that comes at least a cool-down after their last hold on the tier ended (ran out, was
 *      released or was paid for).
 *    - Every hold inside the window expires by window start + `ceilingSeconds` at the latest,
 *      however often the user releases and holds again or lets a hold lapse and holds again.
 *    - After that the user is refused (HOLD_CEILING) until one cool-down after their last hold
 *      on the tier ended; the next hold then starts a new window.
 *    So one user holds one tier at most ceiling / (ceiling + cool-down) of the time (2/3 with
 *    the defaults: 20 minutes of every 30), and the seats are everyone's in between.
 * Refusals are CONFLICT with a `reason` and `retryAfterSeconds`, and write nothing (the
 * transaction rolls back).
 */

export interface HoldLimitSettings {
  maxLiveHolds: number;
  ceilingSeconds: number;
  cooldownSeconds: number;
}

/** One of the user's live holds, with its items on the tiers of the request. */
export interface LiveHold {
  id: string;
  expiresAt: Date;
  items: { tierId: string; quantity: number }[];
}

export interface HoldWindow {
  tierId: string;
  startedAt: Date;
  /** When the user's latest hold on the tier in this window ends or ended; null: none. */
  lastEnd: Date | null;
}

export interface HoldRequest {
  /** The database's clock for this transaction. */
  now: Date;
  items: { tierId: string; quantity: number }[];
  tiers: Map<string, { id: string; name: string; maxPerOrder: number }>;
  live: LiveHold[];
  windows: Map<string, HoldWindow>;
}

export interface HoldDecision {
  /** The latest the new hold may last (the soonest window end among its tiers). */
  until: Date;
  /** Tiers on which the hold starts a new window. */
  newWindows: string[];
}

const secondsUntil = (at: Date, now: Date) => Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
const plus = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

/** Throws the refusal, or says how long the hold may last and which windows it starts. */
export function decideHold(request: HoldRequest, settings: HoldLimitSettings): HoldDecision {
  const { now, live } = request;
  if (live.length >= settings.maxLiveHolds) {
    const soonest = new Date(Math.min(...live.map((h) => h.expiresAt.getTime())));
    throw conflict(
      `You already have ${live.length} live holds, the most at once: pay for or release one first`,
      { reason: 'HOLD_LIMIT', limit: settings.maxLiveHolds, retryAfterSeconds: secondsUntil(soonest, now) },
    );
  }
  let until = plus(now, settings.ceilingSeconds);
  const newWindows: string[] = [];
  for (const item of request.items) {
    const tier = request.tiers.get(item.tierId)!;
    checkTierLimit(tier, item.quantity, live, now);
    const window = request.windows.get(item.tierId);
    if (!window?.lastEnd || now >= plus(window.lastEnd, settings.cooldownSeconds)) {
      newWindows.push(item.tierId);
      continue;
    }
    const end = plus(window.startedAt, settings.ceilingSeconds);
    if (now >= end) {
      const minutes = Math.round(settings.ceilingSeconds / 60);
      const retryAfterSeconds = secondsUntil(plus(window.lastEnd, settings.cooldownSeconds), now);
      throw conflict(
        `You have held ${tier.name} for as long as one buyer may (${minutes} minutes in a row); ` +
          `you can hold it again in ${retryAfterSeconds} s`,
        { reason: 'HOLD_CEILING', tierId: tier.id, retryAfterSeconds },
      );
    }
    if (end < until) until = end;
  }
  return { until, newWindows };
}

/** The user's live holds on the tier plus this quantity may not exceed its maxPerOrder. */
function checkTierLimit(
  tier: { id: string; name: string; maxPerOrder: number },
  quantity: number,
  live: LiveHold[],
  now: Date,
) {
  const holds = live
    .flatMap((h) =>
      h.items.filter((i) => i.tierId === tier.id).map((i) => ({ ...i, expiresAt: h.expiresAt })),
    )
    .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
  let held = holds.reduce((sum, h) => sum + h.quantity, 0);
  if (held + quantity <= tier.maxPerOrder) return;
  const message = `You already hold ${held} of ${tier.name}; one buyer may hold at most ${tier.maxPerOrder}`;
  // When enough of them will have run out for this request to fit.
  let freedAt = now;
  for (const hold of holds) {
    held -= hold.quantity;
    freedAt = hold.expiresAt;
    if (held + quantity <= tier.maxPerOrder) break;
  }
  throw conflict(message, {
    reason: 'TIER_LIMIT',
    tierId: tier.id,
    retryAfterSeconds: secondsUntil(freedAt, now),
  });
}
