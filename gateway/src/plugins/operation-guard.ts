import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * Requests the gateway's executor cannot run get a clean 400 before they reach it: an
 * operationName the document does not define (the executor would throw a 500), and a
 * subscription sent as a plain HTTP request (it needs graphql-ws or text/event-stream).
 */
export function operationGuard(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) {
            const message = request.operationName
              ? `Unknown operation named "${request.operationName}"`
              : 'Must provide operationName when the document contains several operations';
            throw new GraphQLError(message, {
              extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
            });
          }
          if (operation.operation === 'subscription') {
            throw new GraphQLError(
              'Subscriptions are served over graphql-ws (graphql-transport-ws) or Server-Sent Events (Accept: text/event-stream)',
              { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
