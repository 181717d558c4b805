import { readFileSync } from 'node:fs';
import { Kind, parse, visit, type OperationDefinitionNode } from 'graphql';

/** The demo accounts an operation may be sent as (anonymous otherwise). */
export type Caller = 'attendee' | 'organizer' | 'admin';

/** One document + variables that bench:cost prices with every estimator and then runs. */
export interface CostOperation {
  name: string;
  group: 'registered' | 'attack';
  query: string;
  variables: Record<string, unknown>;
  as?: Caller;
  /** For the nested attack queries: their shape, nesting depth k and sizes. */
  attack?: { shape: AttackShape; k: number; n: number; m: number };
}

/** Real ids and values taken from the seeded catalogue. */
export interface CostCatalogue {
  eventIds: string[];
  categories: string[];
  cities: string[];
  searchText: string;
  orderId: string;
}

/** Who sends each registered query, and the variable sets that are not about sizes. */
const REGISTERED: Record<string, { as?: Caller; bases: (c: CostCatalogue) => Record<string, unknown>[] }> = {
  ApiKeys: { as: 'admin', bases: () => [{}] },
  BrowseEvents: { bases: (c) => [{}, { filter: { category: c.categories[0] } }] },
  EventDetails: { bases: (c) => [{ id: c.eventIds[0] }, { id: c.eventIds[1] }] },
  Me: { as: 'attendee', bases: () => [{}] },
  OrderDetails: { as: 'attendee', bases: (c) => [{ id: c.orderId }] },
  OrganizerEvents: { as: 'organizer', bases: () => [{}] },
  PartnerCatalogue: { bases: (c) => [{}, { filter: { city: c.cities[0] } }] },
  PartnerEventAvailability: { bases: (c) => [{ id: c.eventIds[0] }] },
  PartnerEventDetails: { bases: (c) => [{ id: c.eventIds[0] }] },
  PartnerTrendingEvents: { bases: (c) => [{}, { city: c.cities[0] }] },
  SearchEvents: { bases: (c) => [{ text: c.searchText }] },
  TrendingEvents: { bases: () => [{}] },
};

/** The page and list sizes each sizing variable is set to, besides its default. */
export const SIZES = [1, 10, 50, 100];

/**
 * Every registered query of the persisted manifest: each base variable set with the document's
 * defaults, and the first base also with every sizing variable (one passed to a `first`
 * argument) set to 1, 10, 50 and 100. A query whose required variables are unknown is skipped.
 */
export function registeredOperations(
  manifestPath: string,
  catalogue: CostCatalogue,
): { operations: CostOperation[]; skipped: string[] } {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    operations: { name: string; type: string; body: string }[];
  };
  const operations: CostOperation[] = [];
  const skipped: string[] = [];
  for (const { name, type, body } of manifest.operations) {
    if (type !== 'query') continue;
    const setup = REGISTERED[name];
    const definition = parse(body).definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )!;
    const required = (definition.variableDefinitions ?? [])
      .filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue)
      .map((v) => v.variable.name.value);
    const bases = setup?.bases(catalogue) ?? [{}];
    if (required.some((v) => bases.some((base) => base[v] === undefined))) {
      skipped.push(name);
      continue;
    }
    const sizing = sizingVariables(definition);
    const sets = [...bases];
    for (const size of sizing.length ? SIZES : [])
      sets.push({ ...bases[0], ...Object.fromEntries(sizing.map((v) => [v, size])) });
    for (const variables of sets)
      operations.push({
        name,
        group: 'registered',
        query: body,
        variables,
        ...(setup?.as ? { as: setup.as } : {}),
      });
  }
  return { operations, skipped };
}

/** Variables passed to a `first` argument somewhere in the operation. */
function sizingVariables(definition: OperationDefinitionNode): string[] {
  const names = new Set<string>();
  visit(definition, {
    Argument(node) {
      if (node.name.value === 'first' && node.value.kind === Kind.VARIABLE) names.add(node.value.name.value);
    },
  });
  return [...names];
}

export type AttackShape = 'literal' | 'fragments' | 'variables' | 'entities' | 'defaults';

/** (events first, similarEvents first): small enough to run, large enough to show the growth. */
const ATTACK_SIZES: [number, number][] = [
  [3, 3],
  [10, 5],
];
const LEVELS = [1, 2, 3];

/**
 * `events(first: N) { edges { node { similarEvents(first: M) { ... k levels ... { id } } } } }`,
 * for k = 1..3, in five shapes: sizes as literals, the levels hidden in fragments, sizes in
 * variables, the innermost level asking for fields another subgraph resolves (entity
 * fetches), and no sizes at all (the arguments' defaults, 20 and 5).
 */
export function attackOperations(): CostOperation[] {
  const operations: CostOperation[] = [];
  const add = (shape: AttackShape, k: number, n: number, m: number, query: string, variables = {}) =>
    operations.push({
      name: `attack/${shape} k=${k} N=${n} M=${m}`,
      group: 'attack',
      query,
      variables,
      attack: { shape, k, n, m },
    });
  for (const [n, m] of ATTACK_SIZES) {
    for (const k of LEVELS) {
      add(
        'literal',
        k,
        n,
        m,
        `query AttackLiteral { ${events(`first: ${n}`, nest(k, `(first: ${m})`, 'id'))} }`,
      );
      add('fragments', k, n, m, fragmentAttack(k, n, m));
      add(
        'variables',
        k,
        n,
        m,
        `query AttackVariables($n: Int!, $m: Int!) { ${events('first: $n', nest(k, '(first: $m)', 'id'))} }`,
        { n, m },
      );
      add(
        'entities',
        k,
        n,
        m,
        `query AttackEntities { ${events(`first: ${n}`, nest(k, `(first: ${m})`, 'id title venue { city }'))} }`,
      );
    }
  }
  for (const k of LEVELS)
    add('defaults', k, 20, 5, `query AttackDefaults { ${events('', nest(k, '', 'id'))} }`);
  return operations;
}

function events(args: string, inside: string) {
  return `events${args ? `(${args})` : ''} { edges { node { ${inside} } } }`;
}

function nest(k: number, args: string, innermost: string): string {
  return k === 0 ? innermost : `similarEvents${args} { ${nest(k - 1, args, innermost)} }`;
}

/** Each level its own named fragment: `node { ...L1 }`, `fragment L1 on Event { similarEvents(first: M) { ...L2 } }`. */
function fragmentAttack(k: number, n: number, m: number): string {
  const fragments = LEVELS.slice(0, k).map(
    (level) =>
      `fragment L${level} on Event { similarEvents(first: ${m}) { ${level === k ? 'id' : `...L${level + 1}`} } }`,
  );
  return [`query AttackFragments { ${events(`first: ${n}`, '...L1')} }`, ...fragments].join('\n');
}
