import { loadEnvOrExit } from '@marquee/env';
import { closeOnSignals, createLogger } from '@marquee/subgraph-kit';
import { usersEnvSchema } from './env.js';
import { startUsersService } from './service.js';

const env = loadEnvOrExit(usersEnvSchema);
const log = createLogger('users', env.LOG_LEVEL);
const service = await startUsersService(env, { log });
log.info({ url: service.url }, 'users subgraph listening');
closeOnSignals(service, log, { timeoutMs: env.SHUTDOWN_TIMEOUT_MS });
