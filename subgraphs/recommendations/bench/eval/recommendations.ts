import 'reflect-metadata';
import { createDatabase, runMigrations } from '@marquee/db';
import { schema } from '#src/db/database.js';
import { recommendationsMigrations } from '#src/service.js';
import { evaluate } from './evaluate.js';
import { scratchDatabase } from './scratch-database.js';

/**
 * `npm run eval:recommendations`: the offline evaluation (leave-last-out on a synthetic
 * population with planted tastes), printed as JSON. Deterministic: the same code and seed
 * print the same report. Exits 1 when the target is missed.
 */
export const EVALUATION_POPULATION = {
  seed: 20_300_601,
  now: new Date('2030-06-01T12:00:00Z'),
  users: 2_000,
  futureEvents: 800,
  pastEvents: 400,
  organizers: 80,
  interactions: 20_000,
};

/** BENCH_SMOKE=1: a quarter of the population, the same target (CI checks that it still runs). */
const SMOKE_POPULATION = {
  ...EVALUATION_POPULATION,
  users: 500,
  futureEvents: 400,
  pastEvents: 150,
  organizers: 40,
  interactions: 5_000,
};
const population = process.env.BENCH_SMOKE === '1' ? SMOKE_POPULATION : EVALUATION_POPULATION;

const started = Date.now();
const scratch = await scratchDatabase('eval');
const database = createDatabase({ url: scratch.url, schema, max: 2 });
try {
  await runMigrations(database.sql, database.db, recommendationsMigrations);
  const report = await evaluate(database, population);
  console.log(JSON.stringify({ evaluation: 'recommendations', database: scratch.kind, ...report }, null, 2));
  console.error(`evaluated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!report.target.met) process.exitCode = 1;
} finally {
  await database.close();
  await scratch.drop();
}
