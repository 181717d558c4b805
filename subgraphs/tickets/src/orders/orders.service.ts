import { Injectable } from '@nestjs/common';
import { isAdmin } from '@marquee/auth';
import { forbidden, isId, notFound, pageRequest, toConnection } from '@marquee/subgraph-kit';
import { isOrganizerOf, requireUser } from '../access.js';
import type { TicketsContext } from '../context.js';
import { EventDirectory } from '../event-directory/event-directory.service.js';
import { OrdersRepository, type OrderCursor, type OrderRow } from './orders.repository.js';

const PG_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const isOrderCursor = (value: unknown): value is OrderCursor =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as OrderCursor).t === 'string' &&
  PG_TIME.test((value as OrderCursor).t) &&
  isId((value as OrderCursor).i);

@Injectable()
export class OrdersService {
  constructor(
    private readonly repository: OrdersRepository,
    private readonly directory: EventDirectory,
  ) {}

  /** The buyer, the event's organizer or an ADMIN; others FORBIDDEN. */
  async order(ctx: TicketsContext, id: string): Promise<OrderRow> {
    requireUser(ctx.caller);
    const order = isId(id) ? await ctx.loaders.order.load(id) : null;
    if (!order) throw notFound('Order');
    if (!(await this.canSee(ctx, order))) throw forbidden('Only the buyer, the organizer or an ADMIN');
    return order;
  }

  /** For federation references: the same rule, but null instead of an error. */
  async visible(ctx: TicketsContext, id: string): Promise<OrderRow | null> {
    if (!ctx.caller.user || !isId(id)) return null;
    const order = await ctx.loaders.order.load(id);
    return order && (await this.canSee(ctx, order)) ? order : null;
  }

  async canSee(ctx: TicketsContext, order: OrderRow): Promise<boolean> {
    const user = ctx.caller.user;
    if (!user) return false;
    if (order.userId === user.id || isAdmin(ctx.caller)) return true;
    const entry = await this.directory.lookup(order.eventId, ctx.authorization, (e) =>
      isOrganizerOf(ctx.caller, e),
    );
    return isOrganizerOf(ctx.caller, entry);
  }

  /** User.orders: the user themself or an ADMIN. */
  async ofUser(ctx: TicketsContext, userId: string, first?: number | null, after?: string | null) {
    const caller = requireUser(ctx.caller);
    if (caller.id !== userId && !isAdmin(ctx.caller)) throw forbidden('Only the user themself or an ADMIN');
    const page = pageRequest(first, after, isOrderCursor);
    if (!isId(userId)) return toConnection([], page.limit, () => null, 0);
    const rows = await this.repository.pageByUser(userId, page.limit, page.after);
    for (const row of rows) ctx.loaders.order.prime(row.id, row);
    return toConnection(
      rows,
      page.limit,
      (row) => ({ t: row.cursorTime, i: row.id }),
      () => this.repository.countByUser(userId),
    );
  }
}
