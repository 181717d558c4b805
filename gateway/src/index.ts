export { startGateway, DEFAULT_SUPERGRAPH_PATH, type GatewayDeps, type RunningGateway } from './service.js';
export { gatewayEnvSchema, PRODUCTION_OPS_PORT, type GatewayEnv } from './env.js';
export { composeSupergraph, readSupergraphConfig, mergeSubgraphSdl } from './compose/compose.js';
export { CostModel, describePath, type CostReport } from './admission/cost.js';
export { SupergraphPlanning } from './supergraph/planning.js';
