import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type CallOutcome = 'ok' | 'http' | 'timeout' | 'network' | 'breaker';

/** How one subgraph's calls went, as its data source reports them. */
export interface SubgraphObserver {
  /** Starts timing one call; the returned function records how it ended. */
  start(): (outcome: CallOutcome) => void;
  /** A response that carried GraphQL errors (NOT_FOUND, FORBIDDEN, ... count too). */
  graphqlErrors(count: number): void;
  breakerState(state: 'closed' | 'half-open' | 'open'): void;
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
    help: 'Failed subgraph calls: timeout, network (refused, reset), http (non-2xx), breaker (not sent: circuit open), graphql (errors in the response)',
    labelNames: ['subgraph', 'kind'],
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'gateway_subgraph_breaker_state',
    help: 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open',
    labelNames: ['subgraph'],
    registers: [registry],
  });
  const states = { closed: 0, 'half-open': 1, open: 2 } as const;
  return (subgraph) => {
    breaker.set({ subgraph }, 0);
    return {
      start() {
        const stop = duration.startTimer({ subgraph });
        return (outcome) => {
          if (outcome !== 'breaker') stop();
          if (outcome !== 'ok') errors.inc({ subgraph, kind: outcome });
        };
      },
      graphqlErrors(count) {
        if (count > 0) errors.inc({ subgraph, kind: 'graphql' }, count);
      },
      breakerState(state) {
        breaker.set({ subgraph }, states[state]);
      },
    };
  };
}
