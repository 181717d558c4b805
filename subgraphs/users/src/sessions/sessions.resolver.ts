import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { UsersContext } from '../context.js';
import { SessionsService } from './sessions.service.js';

@Resolver()
export class SessionsResolver {
  constructor(private readonly sessions: SessionsService) {}

  @Mutation('signUp')
  signUp(
    @Args('input') input: { email: string; password: string; name: string },
    @Context() ctx: UsersContext,
  ) {
    return this.sessions.signUp(input, ctx.clientIp);
  }

  @Mutation('signIn')
  signIn(@Args('email') email: string, @Args('password') password: string, @Context() ctx: UsersContext) {
    return this.sessions.signIn(email, password, ctx.clientIp);
  }

  @Mutation('refreshSession')
  refreshSession(@Args('refreshToken') refreshToken: string) {
    return this.sessions.refresh(refreshToken);
  }

  @Mutation('signOut')
  signOut(@Args('refreshToken') refreshToken: string) {
    return this.sessions.signOut(refreshToken);
  }
}
