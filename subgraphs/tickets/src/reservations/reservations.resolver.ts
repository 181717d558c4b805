import { Args, Context, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { TicketsContext } from '../context.js';
import type { MutationReleaseReservationArgs, MutationReserveTicketsArgs } from '../generated/resolvers.js';
import type { ReservationItemRow, ReservationRow } from './reservations.repository.js';
import { ReservationsService, reportedStatus } from './reservations.service.js';

@Resolver('Reservation')
export class ReservationsResolver {
  constructor(private readonly reservations: ReservationsService) {}

  @Mutation('reserveTickets')
  reserve(
    @Args() { eventId, items, idempotencyKey }: MutationReserveTicketsArgs,
    @Context() ctx: TicketsContext,
  ) {
    return this.reservations.reserve(ctx, eventId, items, idempotencyKey);
  }

  @Mutation('releaseReservation')
  release(@Args() { id }: MutationReleaseReservationArgs, @Context() ctx: TicketsContext) {
    return this.reservations.release(ctx, id);
  }

  @ResolveField('status')
  status(@Parent() reservation: ReservationRow) {
    return reportedStatus(reservation);
  }

  @ResolveField('event')
  event(@Parent() reservation: ReservationRow) {
    return { __typename: 'Event', id: reservation.eventId };
  }

  @ResolveField('items')
  items(@Parent() reservation: ReservationRow, @Context() ctx: TicketsContext) {
    return ctx.loaders.reservationItems.load(reservation.id);
  }
}

@Resolver('ReservationItem')
export class ReservationItemResolver {
  @ResolveField('tier')
  tier(@Parent() item: ReservationItemRow, @Context() ctx: TicketsContext) {
    return ctx.loaders.tier.load(item.tierId);
  }
}
