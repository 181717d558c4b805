import type { ApolloServerPlugin } from '@apollo/server';
import { activeSpan } from '@marquee/telemetry';
import { Counter, Histogram } from 'prom-client';
import type { ServiceRuntime } from './ops.js';
import { currentRequest } from './request-scope.js';

/**
 * Per GraphQL operation, at the gateway and in every subgraph: request count (by outcome) and
 * latency by operation name on /metrics, the name on the request's log lines, and the name and
 * type on the request's HTTP span.
 */
export function operationObserver(runtime: ServiceRuntime): ApolloServerPlugin {
  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations served, by operation name and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [runtime.metrics],
  });
  const duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL operation latency',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [runtime.metrics],
  });
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ operationName, operation }) {
          const scope = currentRequest();
          if (scope && operationName) scope.operation = operationName;
          activeSpan()?.setAttributes({
            ...(operation ? { 'graphql.operation.type': operation.operation } : {}),
            ...(operationName ? { 'graphql.operation.name': operationName } : {}),
          });
        },
        async willSendResponse({ operationName, errors }) {
          const operation = operationName ?? 'anonymous';
          requests.inc({ operation, outcome: errors?.length ? 'error' : 'ok' });
          duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
