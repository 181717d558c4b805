import { common, z } from '@marquee/env';
import { busSubgraphEnv } from '@marquee/subgraph-kit';

export const recommendationsEnvSchema = busSubgraphEnv.extend({
  RECOMMENDATIONS_PORT: common.port(4004),
});

export type RecommendationsEnv = z.infer<typeof recommendationsEnvSchema>;
