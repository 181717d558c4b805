import { Counter, Histogram, type Registry } from 'prom-client';

/** How one subgraph's calls went, as its data source reports them. */
export interface SubgraphObserver {
  /** Wraps one fetch: latency, and a failed or non-2xx call as an error. */
  fetch(call: Promise<Response>): Promise<Response>;
  /** A response that carried GraphQL errors (NOT_FOUND, FORBIDDEN, ... count too). */
  graphqlErrors(count: number): void;
}

/** Subgraph call latency and errors at the gateway, per subgraph, on /metrics. */
export function subgraphMetrics(registry: Registry): (subgraph: string) => SubgraphObserver {
  const duration = new Histogram({
    name: 'gateway_subgraph_request_duration_seconds',
    help: 'Latency of the gateway calls to each subgraph (fetches of query plans)',
    labelNames: ['subgraph'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'gateway_subgraph_request_errors_total',
    help: 'Failed subgraph calls: timeout, network (refused, reset), http (non-2xx), graphql (errors in the response)',
    labelNames: ['subgraph', 'kind'],
    registers: [registry],
  });
  return (subgraph) => ({
    async fetch(call) {
      const stop = duration.startTimer({ subgraph });
      try {
        const response = await call;
        if (!response.ok) errors.inc({ subgraph, kind: 'http' });
        return response;
      } catch (error) {
        const name = (error as { name?: string }).name;
        errors.inc({
          subgraph,
          kind: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
        });
        throw error;
      } finally {
        stop();
      }
    },
    graphqlErrors(count) {
      if (count > 0) errors.inc({ subgraph, kind: 'graphql' }, count);
    },
  });
}
