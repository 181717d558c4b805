// The gateway as its own process. Tracing starts first: its instrumentation patches modules as
// they load, so the gateway (Nest, express, ioredis...) is imported only after it.
import { startTelemetry } from '@marquee/telemetry';

await startTelemetry({ serviceName: 'gateway' });
await import('./standalone.js');
