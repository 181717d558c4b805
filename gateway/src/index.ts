export { startGateway, DEFAULT_SUPERGRAPH_PATH, type GatewayDeps, type RunningGateway } from './service.js';
export { gatewayEnvSchema, type GatewayEnv } from './env.js';
export { composeSupergraph, readSupergraphConfig, mergeSubgraphSdl } from './compose/compose.js';
