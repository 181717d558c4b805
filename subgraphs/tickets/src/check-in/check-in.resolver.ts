import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { TicketsContext } from '../context.js';
import type { MutationCheckInTicketArgs } from '../generated/resolvers.js';
import { CheckInService } from './check-in.service.js';

@Resolver()
export class CheckInResolver {
  constructor(private readonly checkIns: CheckInService) {}

  @Mutation('checkInTicket')
  checkInTicket(@Args() { code }: MutationCheckInTicketArgs, @Context() ctx: TicketsContext) {
    return this.checkIns.checkIn(ctx, code);
  }
}
