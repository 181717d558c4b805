import type { Database } from '@marquee/db';
import * as schema from './schema.js';

export type TicketsDatabase = Database<typeof schema>;
export type TicketsDb = TicketsDatabase['db'];
/** A transaction handle, as `db.transaction` passes it. */
export type TicketsTx = Parameters<Parameters<TicketsDb['transaction']>[0]>[0];
/** Either: repository methods that can join a caller's transaction take this. */
export type Executor = TicketsDb | TicketsTx;
export { schema };
