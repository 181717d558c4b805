import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  isUnionType,
  Kind,
  valueFromASTUntyped,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

const refuse = (message: string, code = 'BAD_USER_INPUT') =>
  new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

/** The `representations` given to a top-level `_entities` field, if the operation has one. */
function representationsOf(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): unknown[] {
  const found: unknown[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities') continue;
    const argument = selection.arguments?.find((a) => a.name.value === 'representations');
    if (!argument) continue;
    const value = valueFromASTUntyped(argument.value, variables);
    for (const item of Array.isArray(value) ? value : [value]) found.push(item);
  }
  return found;
}

/**
 * Requests a subgraph's executor cannot answer cleanly get a coded 400 before they run:
 * subscriptions sent over HTTP (the gateway subscribes over WebSocket), and `_entities`
 * representations that name no entity of this subgraph (@apollo/subgraph would throw a plain
 * Error, masked as an internal error). The gateway never sends either; anyone else holding the
 * internal credential might.
 */
export function subgraphRequestGuard(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema }) {
          if (!operation) return;
          if (operation.operation === 'subscription') {
            throw refuse('Subscriptions are served over WebSocket', 'BAD_REQUEST');
          }
          const representations = representationsOf(operation, request.variables ?? {});
          if (representations.length === 0) return;
          const entities = entityTypes(schema);
          for (const representation of representations) {
            const typename = (representation as { __typename?: unknown } | null)?.__typename;
            if (
              typeof representation !== 'object' ||
              typeof typename !== 'string' ||
              !entities.has(typename)
            ) {
              throw refuse(
                'Each representation must be an object whose __typename is an entity of this subgraph',
              );
            }
          }
        },
      };
    },
  };
}

const entityCache = new WeakMap<GraphQLSchema, Set<string>>();

function entityTypes(schema: GraphQLSchema): Set<string> {
  let names = entityCache.get(schema);
  if (!names) {
    const union = schema.getType('_Entity');
    names = new Set(isUnionType(union) ? union.getTypes().map((t) => t.name) : []);
    entityCache.set(schema, names);
  }
  return names;
}
