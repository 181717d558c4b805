import { Args, Context, Parent, Query, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';
import { isId } from '@marquee/subgraph-kit';
import type { TicketsContext } from '../context.js';
import type { QueryOrderArgs, UserOrdersArgs } from '../generated/resolvers.js';
import type { OrderRow, TicketRow } from './orders.repository.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';

@Resolver('Order')
export class OrdersResolver {
  constructor(private readonly orders: OrdersService) {}

  @Query('order')
  order(@Args() { id }: QueryOrderArgs, @Context() ctx: TicketsContext) {
    return this.orders.order(ctx, id);
  }

  @ResolveReference()
  reference(@Parent() ref: { id: string }, @Context() ctx: TicketsContext) {
    return this.orders.visible(ctx, ref.id);
  }

  @ResolveField('user')
  user(@Parent() order: OrderRow) {
    return { __typename: 'User', id: order.userId };
  }

  @ResolveField('event')
  event(@Parent() order: OrderRow) {
    return { __typename: 'Event', id: order.eventId };
  }

  @ResolveField('tickets')
  tickets(@Parent() order: OrderRow, @Context() ctx: TicketsContext) {
    return ctx.loaders.ticketsByOrder.load(order.id);
  }
}

@Resolver('Ticket')
export class TicketResolver {
  constructor(
    private readonly orders: OrdersService,
    private readonly repository: OrdersRepository,
  ) {}

  /** Visible to whoever may see its order. */
  @ResolveReference()
  async reference(@Parent() ref: { id: string }, @Context() ctx: TicketsContext) {
    const ticket = isId(ref.id) ? await this.repository.findTicket(ref.id) : undefined;
    if (!ticket) return null;
    return (await this.orders.visible(ctx, ticket.orderId)) ? ticket : null;
  }

  @ResolveField('tier')
  tier(@Parent() ticket: TicketRow, @Context() ctx: TicketsContext) {
    return ctx.loaders.tier.load(ticket.tierId);
  }

  @ResolveField('order')
  order(@Parent() ticket: TicketRow, @Context() ctx: TicketsContext) {
    return ctx.loaders.order.load(ticket.orderId);
  }
}

@Resolver('User')
export class UserOrdersResolver {
  constructor(private readonly orders: OrdersService) {}

  @ResolveReference()
  reference(@Parent() ref: { id: string }) {
    return { id: ref.id };
  }

  @ResolveField('orders')
  ordersOf(
    @Parent() user: { id: string },
    @Args() { first, after }: UserOrdersArgs,
    @Context() ctx: TicketsContext,
  ) {
    return this.orders.ofUser(ctx, user.id, first, after);
  }
}
