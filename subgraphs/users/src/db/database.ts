import type { Database } from '@marquee/db';
import * as schema from './schema.js';

export type UsersDatabase = Database<typeof schema>;
export type UsersDb = UsersDatabase['db'];
export { schema };
