import { loadEnvOrExit } from '@marquee/env';
import { closeOnSignals, createLogger } from '@marquee/subgraph-kit';
import { gatewayEnvSchema } from './env.js';
import { startGateway } from './service.js';

const env = loadEnvOrExit(gatewayEnvSchema);
const log = createLogger('gateway', env.LOG_LEVEL);
const gateway = await startGateway(env, { log });
log.info({ url: gateway.url }, 'gateway listening');
closeOnSignals(gateway, log);
