import { readFileSync } from 'node:fs';
import { getOperationAST, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { gatewayEnvSchema } from '../env.js';
import { DEFAULT_MANIFEST_PATH } from '../manifest/manifest.js';
import { DEFAULT_SUPERGRAPH_PATH } from '../service.js';
import { SupergraphPlanning } from '../supergraph/planning.js';
import { CostModel, describePath } from './cost.js';

const planning = new SupergraphPlanning(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8'));
const model = new CostModel(planning.schema, planning.supergraphSchema, {
  defaultListSize: 20,
  mutationCost: 10,
});

function cost(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  return model.cost(document, getOperationAST(document)!, variables);
}

const nested = (levels: number) =>
  `{ events { edges { node { ${'similarEvents { '.repeat(levels)}id${' }'.repeat(levels)} } } } }`;

describe('cost model', () => {
  it('gives every list of objects in the supergraph a size', () => {
    expect(model.unsizedLists()).toEqual([]);
  });

  it('multiplies nested lists by their default sizes (the 8-level similarEvents bomb)', () => {
    // 1 connection + 20 edges + 20 nodes, then each level x5 similar events.
    expect(cost(nested(1)).cost).toBe(1 + 20 + 20 + 20 * 5);
    const bomb = cost(nested(8));
    expect(bomb.cost).toBeGreaterThan(20 * 5 ** 8);
    expect(describePath(bomb.heaviest)).toContain('events > edges (x20, first: 20 (default)) > node');
    expect(bomb.heaviest.at(-1)).toMatchObject({
      field: 'similarEvents',
      size: 5,
      sizeFrom: 'first: 5 (default)',
    });
  });

  it('takes sizes from literals and variables, and variable defaults', () => {
    const query = 'query($n: Int = 3) { trendingEvents(first: $n) { id similarEvents(first: 2) { id } } }';
    expect(cost(query).cost).toBe(3 * (1 + 2));
    expect(cost(query, { n: 50 }).cost).toBe(50 * (1 + 2));
    expect(cost(query, { n: null }).cost).toBe(10 * (1 + 2)); // null: the field's own default
    expect(cost('{ trendingEvents(first: 0) { id similarEvents { id } } }').cost).toBe(0);
  });

  it('prices a fragment wherever it is spread, inside the lists around it', () => {
    const viaFragment = cost(
      `{ events(first: 10) { edges { node { ...F } } } } fragment F on Event { similarEvents(first: 10) { id } }`,
    );
    const inline = cost('{ events(first: 10) { edges { node { similarEvents(first: 10) { id } } } } }');
    expect(viaFragment.cost).toBe(inline.cost);
    expect(inline.cost).toBe(1 + 10 + 10 + 100);
  });

  it('uses assumed sizes for lists without a slicing argument', () => {
    expect(cost('{ event(id: "x") { ticketTiers { id } availability { tiers { tierId } } } }').cost).toBe(
      1 + 10 + 1 + 10,
    );
  });

  it('adds a fixed price per mutation field', () => {
    expect(cost('mutation { recordEventView(eventId: "x") }').cost).toBe(10);
  });

  it('prices every registered operation below the default limit, even at the largest page sizes', () => {
    const manifest = JSON.parse(readFileSync(DEFAULT_MANIFEST_PATH, 'utf8')) as {
      operations: { name: string; body: string }[];
    };
    const maxCost = gatewayEnvSchema.shape.MAX_COST.parse(undefined);
    for (const { name, body } of manifest.operations) {
      const document = parse(body);
      const operation = getOperationAST(document)!;
      // Every Int variable at 100, the largest page a connection serves.
      const largest = Object.fromEntries(
        (operation.variableDefinitions ?? [])
          .filter((v) => print(v.type).startsWith('Int'))
          .map((v) => [v.variable.name.value, 100]),
      );
      expect(model.cost(document, operation, largest).cost, name).toBeLessThan(maxCost);
    }
  });
});
