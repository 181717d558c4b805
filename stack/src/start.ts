// `npm start`. Tracing starts first: its instrumentation patches modules as they load, so the
// services (Nest, express, ioredis...) are imported only after it. One process, one tracer:
// each service's HTTP spans carry `marquee.service`.
import { startTelemetry } from '@marquee/telemetry';

await startTelemetry({ serviceName: 'marquee' });
await import('./launch.js');
