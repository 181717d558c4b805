export * from './errors.js';
export { createErrorFormatter } from './format-error.js';
export { DateTimeScalar } from './scalars.js';
export * from './pagination.js';
export { isId } from './ids.js';
export { clientIpOf, resolveCaller, hasInternalCredential } from './caller.js';
export {
  createLogger,
  defaultLogFormat,
  nestLogger,
  type LogFormat,
  type LogOutput,
  type Logger,
} from './logger.js';
export { OpsModule, createRuntime, RUNTIME, type ServiceRuntime, type ReadinessCheck } from './ops.js';
export {
  subgraphGraphQLOptions,
  subgraphGraphQLModule,
  type SubgraphGraphQLOptions,
} from './graphql-options.js';
export { createSubgraphApp, listen, type RunningService } from './bootstrap.js';
export { exitOnPortError, PortError, portErrorOf } from './listen-errors.js';
export {
  startSubgraph,
  type StartSubgraphOptions,
  type StartedSubgraph,
  type StartStep,
  type SubgraphParts,
  type SubgraphDatabase,
  type SubgraphBus,
  type SubgraphRelay,
  type PoolOptions,
  type RelayOptions,
} from './start-subgraph.js';
export { subgraphEnv, busSubgraphEnv, type SubgraphEnv, type BusSubgraphEnv } from './subgraph-env.js';
export {
  closeOnSignals,
  drainHttpServer,
  trackRequests,
  CLOSE_SERVICE_RESTART,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
} from './shutdown.js';
export { observeRequests, currentRequest, REQUEST_ID_HEADER, type RequestScope } from './request-scope.js';
export { boundedLabels, OPERATION_LABEL_HEADER, operationObserver } from './operation-plugin.js';
export type { PoolSource } from './pool-metrics.js';
export { httpErrorResponse, jsonBodyOptions, type HttpErrorResponse } from './http-errors.js';
export { textGuard, findInvalidText } from './text-guard.js';
