import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { activeTraceIds, startTelemetry, telemetry, tracesRequested } from './index.js';

describe('tracesRequested', () => {
  it('is on with an OTLP endpoint or an explicit traces exporter, off otherwise', () => {
    expect(tracesRequested({})).toBe(false);
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(
      true,
    );
    expect(tracesRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(
      tracesRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }),
    ).toBe(false);
    expect(tracesRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBe(
      false,
    );
  });
});

describe('startTelemetry', () => {
  it('is a no-op without configuration: no tracer registered, nothing to flush', async () => {
    for (const name of Object.keys(process.env)) if (name.startsWith('OTEL_')) delete process.env[name];
    const started = await startTelemetry({ serviceName: 'test' });
    expect(started.enabled).toBe(false);
    expect(telemetry()).toBe(started);
    await started.shutdown();
    trace.getTracer('test').startActiveSpan('work', (span) => {
      expect(activeTraceIds()).toBeUndefined(); // a no-op span has no valid ids
      span.end();
    });
  });
});
