import type { RecommendationsDatabase } from '#src/db/database.js';
import { RecommendationsRepository } from '#src/recommendations/recommendations.repository.js';
import { RecommendationsService } from '#src/recommendations/recommendations.service.js';
import { recommend, type Strategy } from '#src/scoring/personal.js';
import { loadWorld } from './load.js';
import { meanMetrics, scoreList, type Metrics } from './metrics.js';
import { createRandom } from './random.js';
import { generateWorld, type WorldOptions } from './synthetic.js';

export interface EvaluationReport {
  protocol: string;
  population: {
    seed: number;
    users: number;
    events: number;
    upcomingEvents: number;
    organizers: number;
    interactions: number;
    evaluatedUsers: number;
  };
  metrics: Record<Strategy | 'random', Metrics>;
  target: { rule: string; ratio: number; met: boolean };
}

const LIST = 10;

/**
 * Leave-last-out on a synthetic population: the world (minus every user's last purchase) is
 * loaded into a migrated recommendations database, then each user is ranked by the service's
 * own code, the same two statements and the same scoring module, with the hybrid blend and
 * with popularity alone, against a seeded random pick among the recommendable events.
 */
export async function evaluate(
  database: RecommendationsDatabase,
  options: Omit<WorldOptions, 'holdOut'>,
): Promise<EvaluationReport> {
  const world = generateWorld({ ...options, holdOut: true });
  await loadWorld(database, world);
  const service = new RecommendationsService(new RecommendationsRepository(database));
  const random = createRandom(options.seed ^ 0x5eed);
  const now = world.now;
  const live = world.events
    .filter((e) => e.status === 'PUBLISHED' && e.endsAt > now)
    .map((e) => e.id)
    .sort();
  const held = new Map<string, Set<string>>();
  for (const i of world.interactions) {
    if (i.kind !== 'PURCHASE' || !i.userId) continue;
    held.set(i.userId, (held.get(i.userId) ?? new Set()).add(i.eventId));
  }

  const results: Record<Strategy | 'random', Metrics[]> = { hybrid: [], popularity: [], random: [] };
  for (const user of world.users) {
    const relevant = world.holdouts.get(user.id);
    if (!relevant) continue;
    const { profile, candidates } = await service.inputs(user.id, now);
    for (const strategy of ['hybrid', 'popularity'] as const) {
      const ranked = recommend(profile, candidates, LIST, strategy).map((r) => r.eventId);
      results[strategy].push(scoreList(ranked, relevant));
    }
    const mine = held.get(user.id);
    const pickable = live.filter((id) => !mine?.has(id));
    results.random.push(scoreList(random.shuffle(pickable).slice(0, LIST), relevant));
  }

  const metrics = {
    hybrid: meanMetrics(results.hybrid),
    popularity: meanMetrics(results.popularity),
    random: meanMetrics(results.random),
  };
  const ratio =
    metrics.popularity.precisionAt5 > 0
      ? Math.round((metrics.hybrid.precisionAt5 / metrics.popularity.precisionAt5) * 1000) / 1000
      : metrics.hybrid.precisionAt5 > 0
        ? Number.POSITIVE_INFINITY
        : 0;
  return {
    protocol:
      "leave-last-out: every user's last purchase (an upcoming event) is held out; the top 10 of " +
      'the service ranking (its two SQL statements and the scoring module) over a migrated database',
    population: {
      seed: options.seed,
      users: world.users.length,
      events: world.events.length,
      upcomingEvents: options.futureEvents,
      organizers: options.organizers,
      interactions: world.interactions.length,
      evaluatedUsers: results.hybrid.length,
    },
    metrics,
    target: { rule: 'hybrid precision@5 >= 2 x popularity precision@5', ratio, met: ratio >= 2 },
  };
}
