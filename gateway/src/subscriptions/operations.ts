import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import type { GatewayContext } from '../context.js';
import type { SubscriptionHub } from './hub.js';
import type { SupergraphPlanning } from '../supergraph/planning.js';
import { sha256 } from '../sha256.js';
import type { Subscriber } from './subscriber.js';

export interface OperationRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface StreamDeps {
  hub: SubscriptionHub;
  planning: () => SupergraphPlanning;
  /** Queries and mutations sent over a stream go through the normal HTTP executor. */
  execute: (
    request: { query: string; variables: Record<string, unknown>; operationName?: string },
    context: GatewayContext,
  ) => Promise<ExecutionResult | { errors: readonly GraphQLFormattedError[] }>;
  formatError: (error: GraphQLFormattedError) => GraphQLFormattedError;
}

/**
 * Starts one operation for a stream transport (graphql-ws or SSE): a subscription joins the
 * hub; a query or mutation runs once and completes. Returns how to stop it.
 */
export async function startOperation(
  deps: StreamDeps,
  request: OperationRequest,
  context: GatewayContext,
  subscriber: Subscriber,
): Promise<() => void> {
  const errorOut = (errors: readonly GraphQLFormattedError[]) => {
    subscriber.error(JSON.stringify(errors.map(deps.formatError)));
    return () => {};
  };
  if (typeof request.query !== 'string' || request.query.length === 0) {
    return errorOut([badRequest('Send a GraphQL document in `query`')]);
  }
  if (
    request.variables != null &&
    (typeof request.variables !== 'object' || Array.isArray(request.variables))
  ) {
    return errorOut([badRequest('`variables` must be an object')]);
  }
  if (request.operationName != null && typeof request.operationName !== 'string') {
    return errorOut([badRequest('`operationName` must be a string')]);
  }
  const variables = (request.variables ?? {}) as Record<string, unknown>;
  const operationName = (request.operationName as string | undefined) ?? undefined;
  const planning = deps.planning();
  const prepared = planning.prepare(request.query, operationName);

  if (prepared.kind === 'invalid') return errorOut(prepared.errors.map((e) => e.toJSON()));
  if (prepared.kind === 'other') {
    const result = await deps.execute(
      { query: request.query, variables, ...(operationName ? { operationName } : {}) },
      context,
    );
    const errors = result.errors?.map((e) =>
      deps.formatError('toJSON' in e && typeof e.toJSON === 'function' ? e.toJSON() : e),
    );
    subscriber.next(JSON.stringify(errors?.length ? { ...result, errors } : result));
    subscriber.complete();
    return () => {};
  }

  const operation = getOperationAST(prepared.prepared.document, operationName)!;
  const coerced = getVariableValues(planning.schema, operation.variableDefinitions ?? [], variables, {
    maxErrors: 10,
  });
  if (coerced.errors) {
    return errorOut(coerced.errors.map((e) => ({ ...e.toJSON(), extensions: { code: 'BAD_USER_INPUT' } })));
  }
  const scope = scopeOf(context);
  const key = sha256(prepared.prepared.id, stableJson(coerced.coerced), scope.key);
  return deps.hub.join(
    { key, prepared: prepared.prepared, variables: coerced.coerced, scope, context },
    subscriber,
  );
}

/**
 * Who a payload may be computed for. Anonymous callers share; a signed-in user's payload may
 * hold what only they may see, so it is shared only among that user's own subscriptions.
 */
export function scopeOf(context: GatewayContext): { key: string; authorization?: string } {
  const user = context.caller.user;
  if (user) {
    return {
      key: `user:${user.id}:${[...user.roles].sort().join(',')}`,
      ...(context.authorization ? { authorization: context.authorization } : {}),
    };
  }
  if (context.partnerKeyId) return { key: `partner:${context.partnerKeyId}` };
  return { key: 'anonymous' };
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function badRequest(message: string): GraphQLFormattedError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } }).toJSON();
}
