import { register } from 'node:module';
import { context, trace, type Span } from '@opentelemetry/api';

export interface Telemetry {
  /** Whether spans are recorded and exported (an OTLP endpoint or a traces exporter is configured). */
  readonly enabled: boolean;
  /** Exports what is still buffered, then stops; safe to call more than once. */
  shutdown(): Promise<void>;
}

/** Span attribute naming the Marquee service that handled a request (several share a process in demo mode). */
export const SERVICE_ATTRIBUTE = 'marquee.service';
/** Span attribute carrying the request's x-request-id, to go from a log line to its trace and back. */
export const REQUEST_ID_ATTRIBUTE = 'marquee.request_id';

const disabled: Telemetry = { enabled: false, shutdown: async () => {} };
let current: Telemetry | undefined;

/** Whether the standard OTEL_* variables ask for traces at all. */
export function tracesRequested(env: Record<string, string | undefined> = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporters === 'none') return false;
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || exporters);
}

/**
 * Starts OpenTelemetry for this process, configured by the standard OTEL_* variables
 * (endpoint, protocol incl. http/json, headers, sampler, resource attributes, service name).
 * Without an endpoint it is a no-op and loads nothing. Call it before the modules it
 * instruments are loaded: entry points import the service only after awaiting this.
 */
export async function startTelemetry(options: { serviceName: string }): Promise<Telemetry> {
  if (current) return current;
  if (!tracesRequested()) return (current = disabled);
  // ESM imports of CommonJS packages bypass require hooks; this loader hook lets the ioredis
  // instrumentation see `import { Redis } from 'ioredis'`. Limited to the modules we
  // instrument, so nothing else is wrapped. (http is patched through its require by express.)
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['ioredis'] } });
  const { createSdk } = await import('./sdk.js');
  const sdk = createSdk(options.serviceName);
  sdk.start();
  let stopping: Promise<void> | undefined;
  current = {
    enabled: true,
    shutdown: () => (stopping ??= sdk.shutdown().catch(() => undefined)),
  };
  return current;
}

/** The telemetry started in this process (a no-op one if none was). */
export function telemetry(): Telemetry {
  return current ?? disabled;
}

/** The active span's trace and span ids, for log lines; undefined outside a recorded trace. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  if (!ids || !trace.isSpanContextValid(ids)) return undefined;
  return { trace_id: ids.traceId, span_id: ids.spanId };
}

/** The span of the HTTP request being handled (the active one), if traced. */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}
