export * from './errors.js';
export { createErrorFormatter } from './format-error.js';
export { DateTimeScalar } from './scalars.js';
export * from './pagination.js';
export { isId } from './ids.js';
export { resolveCaller, hasInternalCredential } from './caller.js';
export { createLogger, type Logger } from './logger.js';
export { OpsModule, createRuntime, RUNTIME, type ServiceRuntime, type ReadinessCheck } from './ops.js';
export {
  subgraphGraphQLOptions,
  subgraphGraphQLModule,
  type SubgraphGraphQLOptions,
} from './graphql-options.js';
export { createSubgraphApp, listen, closeOnSignals, type RunningService } from './bootstrap.js';
