import type { Database } from '@marquee/db';
import * as schema from './schema.js';

export type EventsDatabase = Database<typeof schema>;
export type EventsDb = EventsDatabase['db'];
export { schema };
