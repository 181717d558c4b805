import type { IncomingMessage } from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes are not traffic: tracing them would bury the traces that matter. */
const OPS_PATH = /^\/(health|ready|metrics)(\?|$)/;
const pathOf = (url: string | undefined) => (url ?? '/').split('?')[0]!;

/**
 * The SDK, from the standard OTEL_* variables: OTEL_TRACES_EXPORTER (default otlp) with
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL (http/protobuf by default, http/json, grpc),
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT/HEADERS/TIMEOUT, OTEL_TRACES_SAMPLER(_ARG),
 * OTEL_PROPAGATORS (W3C trace context and baggage by default), OTEL_RESOURCE_ATTRIBUTES and
 * OTEL_SERVICE_NAME (which wins over the name given here). Metrics are Prometheus' (/metrics)
 * and logs go to stdout, so those OTLP signals stay off unless their exporters are set.
 */
export function createSdk(serviceName: string): NodeSDK {
  const env = process.env;
  return new NodeSDK({
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName }),
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => OPS_PATH.test(req.url ?? ''),
        // A GET /graphql carries the operation's variables in its query string: keep only the path.
        startIncomingSpanHook: (req: IncomingMessage) => ({
          'http.target': pathOf(req.url),
          'url.path': pathOf(req.url),
          'url.query': undefined as never,
        }),
      }),
      // fetch (undici) is how the gateway calls subgraphs: client spans, traceparent injected.
      new UndiciInstrumentation({ ignoreRequestHook: (req) => OPS_PATH.test(req.path) }),
      new IORedisInstrumentation({
        // The bus's blocking stream reads would otherwise start a trace every few seconds.
        requireParentSpan: true,
        // Arguments are keys and payloads (ids, cached documents): the command name is enough.
        dbStatementSerializer: (command) => command,
      }),
    ],
  });
}
