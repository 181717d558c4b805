import { common, z } from '@marquee/env';
import { busSubgraphEnv } from '@marquee/subgraph-kit';

export const eventsEnvSchema = busSubgraphEnv.extend({
  EVENTS_PORT: common.port(4001),
});

export type EventsEnv = z.infer<typeof eventsEnvSchema>;
