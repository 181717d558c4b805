import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { ExecutionResult } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { PreparedSubscription, SupergraphPlanning } from '../supergraph/planning.js';

/**
 * Resolves one subscription event into the client's full selection. The subgraph already
 * sent the fields it owns (the plan's primary fetch); the rest of the plan (entity fetches to
 * other subgraphs, e.g. `event { title venue { city } }`) runs through the gateway's own
 * executor. To reuse it unchanged, the primary fetch is replayed from the event instead of
 * being sent again: its subgraph's data source answers that one operation with the event.
 */
export async function resolveEvent(options: {
  planning: SupergraphPlanning;
  prepared: PreparedSubscription;
  eventData: Record<string, unknown>;
  variables: Record<string, unknown>;
  context: GatewayContext;
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
}): Promise<ExecutionResult> {
  const { planning, prepared, eventData } = options;
  const primary = prepared.primary;
  const serviceMap: ServiceMap = Object.create(null);
  for (const [name, source] of options.dataSources) serviceMap[name] = source;
  const owner = serviceMap[primary.serviceName];
  serviceMap[primary.serviceName] = {
    process: (request) =>
      request.request.query === primary.operation
        ? Promise.resolve({ data: structuredClone(eventData) })
        : owner!.process(request),
  } as GraphQLDataSource;

  const plan: QueryPlan = {
    kind: 'QueryPlan',
    node: prepared.rest ? { kind: 'Sequence', nodes: [primary, prepared.rest] } : primary,
  };
  const requestContext = {
    request: { variables: options.variables, operationName: prepared.operationName },
    context: options.context,
    logger: silentLogger,
    metrics: {},
    schema: planning.schema,
    document: prepared.document,
    operationName: prepared.operationName ?? null,
    operation: prepared.operationContext.operation,
  };
  return executeQueryPlan(
    plan,
    serviceMap,
    requestContext as never,
    prepared.operationContext,
    planning.supergraphSchema,
    planning.apiSchema,
  );
}

const noop = () => {};
const silentLogger = { debug: noop, info: noop, warn: noop, error: noop };
