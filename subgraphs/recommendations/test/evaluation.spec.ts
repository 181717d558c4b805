import { createDatabase } from '@marquee/db';
import { freshDatabase } from '@marquee/db/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type RecommendationsDatabase } from '../src/db/database.js';
import { evaluate, type EvaluationReport } from '../bench/eval/evaluate.js';

/**
 * The offline evaluation's target on a small fixed population (the full one is
 * `npm run eval:recommendations`): leave-last-out through the service's own ranking code and
 * SQL on a real database, hybrid precision@5 at least twice popularity's.
 */
const SMALL_POPULATION = {
  seed: 1,
  now: new Date('2030-06-01T12:00:00Z'),
  users: 500,
  futureEvents: 400,
  pastEvents: 150,
  organizers: 40,
  interactions: 5_000,
};

let drop: () => Promise<void>;
let database: RecommendationsDatabase;
let report: EvaluationReport;
beforeAll(async () => {
  const fresh = await freshDatabase();
  drop = fresh.drop;
  database = createDatabase({ url: fresh.url, schema, max: 2 });
  report = await evaluate(database, SMALL_POPULATION);
}, 120_000);
afterAll(async () => {
  await database.close();
  await drop();
});

describe('offline evaluation (leave-last-out, synthetic population with planted tastes)', () => {
  it('evaluates every user whose last purchase was held out', () => {
    expect(report.population).toMatchObject({ seed: 1, users: 500, events: 550, interactions: 5_000 });
    expect(report.population.evaluatedUsers).toBeGreaterThan(450);
  });

  it('meets the target: hybrid precision@5 >= 2 x popularity, and beats random everywhere', () => {
    const { hybrid, popularity, random } = report.metrics;
    expect(popularity.precisionAt5).toBeGreaterThan(0);
    expect(hybrid.precisionAt5).toBeGreaterThanOrEqual(2 * popularity.precisionAt5);
    expect(report.target.met).toBe(true);
    for (const metric of ['precisionAt5', 'recallAt10', 'ndcgAt10'] as const) {
      expect(hybrid[metric]).toBeGreaterThan(popularity[metric]);
      expect(popularity[metric]).toBeGreaterThan(random[metric]);
    }
  });
});
