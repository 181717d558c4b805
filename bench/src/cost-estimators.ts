import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { CostModel, type SupergraphPlanning } from '@marquee/gateway';
import { getOperationAST, GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/** The estimators that price a document before it runs (Hive's is read from its responses). */
export const STATIC_ESTIMATORS = [
  'marquee',
  'graphqlArmor',
  'queryComplexitySimple',
  'queryComplexityFieldExtensions',
] as const;
export const ESTIMATORS = [...STATIC_ESTIMATORS, 'hiveDemandControl'] as const;
export type EstimatorName = (typeof ESTIMATORS)[number];

export const ESTIMATOR_SETTINGS: Record<EstimatorName, string> = {
  marquee:
    'CostModel (gateway/src/admission/cost.ts), defaultListSize 20, mutationCost 10, following @listSize/@cost of the supergraph',
  graphqlArmor:
    '@escape.tech/graphql-armor-cost-limit costLimitRule defaults (objectCost 2, scalarCost 1, depthCostFactor 1.5, only literal first/last multiply), maxCost 0 + exposeLimits to read the cost',
  queryComplexitySimple:
    'graphql-query-complexity getComplexity with simpleEstimator({ defaultComplexity: 1 })',
  queryComplexityFieldExtensions:
    'graphql-query-complexity with fieldExtensionsEstimator() then simpleEstimator({ defaultComplexity: 1 }); our schema is built from SDL and carries no complexity extensions, so this always falls through to the simple estimator',
  hiveDemandControl:
    '@graphql-hive/gateway demandControl { includeExtensionMetadata: true } (listSize 0 default): extensions.cost.estimated, summed over the subgraph fetches it made',
};

/** Static estimates of one document + variables, by estimator. */
export function staticEstimators(planning: SupergraphPlanning) {
  const model = new CostModel(planning.schema, planning.supergraphSchema, {
    defaultListSize: 20,
    mutationCost: 10,
  });
  const schema: GraphQLSchema = planning.schema;
  return (
    query: string,
    variables: Record<string, unknown>,
  ): Record<(typeof STATIC_ESTIMATORS)[number], number> => {
    const document = parse(query);
    const operation = getOperationAST(document);
    if (!operation) throw new Error(`no single operation in ${query}`);
    const complexity = (estimators: Parameters<typeof getComplexity>[0]['estimators']) =>
      getComplexity({ estimators, schema, query: document, variables });
    return {
      marquee: model.cost(document, operation, variables).cost,
      graphqlArmor: armorCost(schema, document),
      queryComplexitySimple: complexity([simpleEstimator({ defaultComplexity: 1 })]),
      queryComplexityFieldExtensions: complexity([
        fieldExtensionsEstimator(),
        simpleEstimator({ defaultComplexity: 1 }),
      ]),
    };
  };
}

/**
 * graphql-armor's cost rule with a limit of 0: every positive cost is "exceeded", and with
 * exposeLimits the message carries the cost it found. With its default propagateOnRejection
 * the rule throws out of validate().
 */
function armorCost(schema: GraphQLSchema, document: ReturnType<typeof parse>): number {
  const message = (() => {
    try {
      const errors = validate(schema, document, [costLimitRule({ maxCost: 0, exposeLimits: true })]);
      return errors.map((e) => e.message).join('\n');
    } catch (error) {
      if (error instanceof GraphQLError) return error.message;
      throw error;
    }
  })();
  const found = /Query Cost limit of 0 exceeded, found ([\d.e+]+)\./.exec(message);
  return found ? Number(found[1]) : 0;
}

/** The work actually done: non-null JSON objects in `data` (list items included, `data` itself not). */
export function countObjects(data: unknown): number {
  return Math.max(0, objectsIn(data) - 1);
}

function objectsIn(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + objectsIn(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  return Object.values(value).reduce((n: number, child) => n + objectsIn(child), 1);
}
