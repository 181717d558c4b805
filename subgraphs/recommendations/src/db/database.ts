import type { Database } from '@marquee/db';
import * as schema from './schema.js';

export type RecommendationsDatabase = Database<typeof schema>;
export type RecommendationsDb = RecommendationsDatabase['db'];
export { schema };
