import { loadEnvOrExit } from '@marquee/env';
import { closeOnSignals, createLogger, exitOnPortError } from '@marquee/subgraph-kit';
import { gatewayEnvSchema } from './env.js';
import { startGateway } from './service.js';

const env = loadEnvOrExit(gatewayEnvSchema);
const log = createLogger('gateway', env.LOG_LEVEL, env.LOG_FORMAT);
const gateway = await startGateway(env, { log }).catch((error: unknown) => {
  exitOnPortError(error); // GATEWAY_PORT or OPS_PORT taken: one sentence, exit 1
  throw error;
});
log.info({ url: gateway.url }, 'gateway listening');
closeOnSignals(gateway, log, { timeoutMs: env.SHUTDOWN_TIMEOUT_MS });
// SIGHUP re-reads the supergraph file (it is also polled, unless SUPERGRAPH_WATCH=false).
process.on('SIGHUP', () => void gateway.reloadSupergraph());
