import { describe, expect, it } from 'vitest';
import { fetchEntities } from './entity-memory.js';
import { ResponseMemory } from './subgraph-transport.js';

type Rep = { __typename: 'User'; id: string };
const rep = (id: string): Rep => ({ __typename: 'User', id });
const QUERY =
  'query($representations:[_Any!]!){_entities(representations:$representations){...on User{name}}}';

/** A subgraph stand-in: names each user, optionally failing some ids; records what it was asked. */
function subgraph(failing: string[] = []) {
  const asked: string[][] = [];
  const fetch = async (variables: Record<string, unknown>) => {
    const reps = variables.representations as Rep[];
    asked.push(reps.map((r) => r.id));
    const errors = reps.flatMap((r, i) =>
      failing.includes(r.id) ? [{ message: 'nope', path: ['_entities', i, 'name'] }] : [],
    );
    return {
      data: { _entities: reps.map((r) => (failing.includes(r.id) ? null : { name: `user ${r.id}` })) },
      ...(errors.length ? { errors } : {}),
    };
  };
  return { asked, fetch };
}

const call = (
  memory: ResponseMemory,
  fetch: ReturnType<typeof subgraph>['fetch'],
  ids: string[],
  scope = 's',
) => fetchEntities(memory, scope, QUERY, { first: 5, representations: ids.map(rep) }, fetch);

describe('fetchEntities', () => {
  it('fetches only the entities it does not remember, and answers in the order asked', async () => {
    const memory = new ResponseMemory(10_000);
    const sub = subgraph();
    await call(memory, sub.fetch, ['1', '2']);
    const answer = await call(memory, sub.fetch, ['3', '2', '1', '4']);
    expect(sub.asked).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(answer.data).toEqual({
      _entities: [{ name: 'user 3' }, { name: 'user 2' }, { name: 'user 1' }, { name: 'user 4' }],
    });
    await call(memory, sub.fetch, ['4', '1']);
    expect(sub.asked).toHaveLength(2);
  });

  it('keeps callers, queries and other variables apart', async () => {
    const memory = new ResponseMemory(10_000);
    const sub = subgraph();
    await call(memory, sub.fetch, ['1']);
    await call(memory, sub.fetch, ['1'], 'another caller');
    await fetchEntities(memory, 's', QUERY, { first: 6, representations: [rep('1')] }, sub.fetch);
    await fetchEntities(memory, 's', `${QUERY} `, { first: 5, representations: [rep('1')] }, sub.fetch);
    expect(sub.asked).toHaveLength(4);
  });

  it('renumbers error paths to the caller’s positions and remembers nothing from a failed fetch', async () => {
    const memory = new ResponseMemory(10_000);
    const sub = subgraph(['3']);
    await call(memory, sub.fetch, ['1']);
    const answer = await call(memory, sub.fetch, ['1', '2', '3']);
    expect(answer.data).toEqual({ _entities: [{ name: 'user 1' }, { name: 'user 2' }, null] });
    expect(answer.errors).toEqual([{ message: 'nope', path: ['_entities', 2, 'name'] }]);
    await call(memory, sub.fetch, ['2']);
    expect(sub.asked.at(-1)).toEqual(['2']);
  });

  it('does not remember entities fetched while a write happened', async () => {
    const memory = new ResponseMemory(10_000);
    const sub = subgraph();
    await call(memory, sub.fetch, ['1'], 's').then(() => undefined);
    const racing = call(
      memory,
      async (v) => {
        memory.clear(); // a mutation committed while this read was in flight
        return sub.fetch(v);
      },
      ['2'],
    );
    await racing;
    await call(memory, sub.fetch, ['1', '2']);
    expect(sub.asked.at(-1)).toEqual(['1', '2']);
  });

  it('hands out copies: a caller changing its answer changes no one else’s', async () => {
    const memory = new ResponseMemory(10_000);
    const sub = subgraph();
    await call(memory, sub.fetch, ['1']);
    const first = await call(memory, sub.fetch, ['1']);
    (first.data as { _entities: { name: string }[] })._entities[0]!.name = 'changed';
    const second = await call(memory, sub.fetch, ['1']);
    expect(second.data).toEqual({ _entities: [{ name: 'user 1' }] });
  });

  it('forgets entities after the window', async () => {
    const memory = new ResponseMemory(30);
    const sub = subgraph();
    await call(memory, sub.fetch, ['1']);
    await new Promise((r) => setTimeout(r, 60));
    await call(memory, sub.fetch, ['1']);
    expect(sub.asked).toHaveLength(2);
  });
});

describe('ResponseMemory', () => {
  it('is bounded by bytes: the oldest answers go first, and one larger than the bound is not kept', () => {
    const memory = new ResponseMemory(60_000, 10_000);
    for (let i = 0; i < 100; i++) memory.set(`key-${i}`, 'x'.repeat(1_000));
    expect(memory.size.bytes).toBeLessThanOrEqual(10_000);
    expect(memory.getEntity('key-99')).toBeDefined();
    expect(memory.getEntity('key-0')).toBeUndefined();
    memory.set('huge', 'x'.repeat(20_000));
    expect(memory.getEntity('huge')).toBeUndefined();
  });
});
