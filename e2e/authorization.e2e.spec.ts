import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from './authorization/cases/index.js';
import { outcomeOf, send, statusOf } from './authorization/client.js';
import { ACTORS, MATRIX } from './authorization/matrix.js';
import { buildWorld, type World } from './authorization/world.js';
import { startTestStack, type TestStack } from './harness.js';

let stack: TestStack;
let world: World;

beforeAll(async () => {
  stack = await startTestStack({
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
    // One attendee owns every reservation the cases need, and most are never released or paid.
    MAX_LIVE_HOLDS_PER_USER: '100',
  });
  world = await buildWorld(stack);
});
afterAll(async () => {
  await world?.sql.end();
  await stack?.stop();
});

const cells = MATRIX.flatMap((row) =>
  ACTORS.map((actor) => ({ operation: row.operation, actor, expected: row.expected[actor], row })),
);

describe('authorisation matrix', () => {
  it.each(cells)('$operation as $actor: $expected', async ({ row, actor, expected }) => {
    const spec = CASES[row.operation];
    if (!spec) throw new Error(`no case for ${row.operation}`);
    const prepared = await spec.prepare(world);
    const sent = await send(world, actor, row, spec, prepared);
    const outcome = outcomeOf(sent, prepared);
    expect({ outcome, status: sent.status }).toEqual({
      outcome: expected,
      status: statusOf(expected, actor),
    });
    // A refusal writes nothing; an answered write is in the database.
    if (prepared.written) expect(await prepared.written()).toBe(expected === 'ok');
  });
});
