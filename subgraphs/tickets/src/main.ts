// The tickets subgraph as its own process. Tracing starts first: its instrumentation patches
// modules as they load, so the service (Nest, express, ioredis...) is imported only after it.
import { startTelemetry } from '@marquee/telemetry';

await startTelemetry({ serviceName: 'tickets' });
await import('./standalone.js');
