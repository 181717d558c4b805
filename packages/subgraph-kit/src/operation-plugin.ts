import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { activeSpan } from '@marquee/telemetry';
import { Counter, Histogram } from 'prom-client';
import type { ServiceRuntime } from './ops.js';
import { currentRequest } from './request-scope.js';

/**
 * Set by the gateway on every subgraph call: the registered operation the call serves, or
 * `other`. Trusted only with the internal credential, which every subgraph /graphql requires.
 */
export const OPERATION_LABEL_HEADER = 'x-marquee-operation';

/** Distinct label values a registry may hold; past this, everything new is `other`. */
const MAX_LABELS = 500;
/** Operation names in log lines and spans: long enough to recognise, short enough to bound. */
const MAX_NAME_LENGTH = 100;

type Labeller = (context: GraphQLRequestContext<object>) => string;

/**
 * At a subgraph: the gateway names its fetches `<Operation>__<subgraph>__<n>` after the client's
 * operation, so a fetch name is a label only when the gateway vouches that operation is
 * registered; anything else is `other`.
 */
export const subgraphLabel: Labeller = ({ operationName, request }) => {
  const registered = request.http?.headers.get(OPERATION_LABEL_HEADER);
  if (!registered || registered === 'other') return 'other';
  const fetch = operationName ?? '';
  return fetch.startsWith(`${registered}__`) && fetch.length <= registered.length + 40 ? fetch : registered;
};

/** Label values from a bounded set: at most MAX_LABELS distinct ones, each of bounded length. */
export function boundedLabels(limit = MAX_LABELS) {
  const seen = new Set<string>(['other']);
  return (value: string): string => {
    if (seen.has(value)) return value;
    if (value.length > MAX_NAME_LENGTH || seen.size >= limit) return 'other';
    seen.add(value);
    return value;
  };
}

/**
 * Per GraphQL operation, at the gateway and in every subgraph: request count (by outcome) and
 * latency by operation on /metrics, the name on the request's log lines, and the name and type
 * on the request's HTTP span. Labels never come straight from the client: `label` says which
 * bounded name a request counts under (registered operations, else `other`).
 */
export function operationObserver(
  runtime: ServiceRuntime,
  label: Labeller = subgraphLabel,
): ApolloServerPlugin {
  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations served, by operation (registered operations; others are `other`) and outcome',
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
  const bounded = boundedLabels();
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ operationName, operation }) {
          const name = operationName?.slice(0, MAX_NAME_LENGTH);
          const scope = currentRequest();
          if (scope && name) scope.operation = name;
          activeSpan()?.setAttributes({
            ...(operation ? { 'graphql.operation.type': operation.operation } : {}),
            ...(name ? { 'graphql.operation.name': name } : {}),
          });
        },
        async willSendResponse(context) {
          const operation = bounded(label(context as GraphQLRequestContext<object>));
          requests.inc({ operation, outcome: context.errors?.length ? 'error' : 'ok' });
          duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
