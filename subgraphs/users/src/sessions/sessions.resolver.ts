import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { UsersContext } from '../context.js';
import type {
  MutationRefreshSessionArgs,
  MutationSignInArgs,
  MutationSignOutArgs,
  MutationSignUpArgs,
} from '../generated/resolvers.js';
import { SessionsService } from './sessions.service.js';

@Resolver()
export class SessionsResolver {
  constructor(private readonly sessions: SessionsService) {}

  @Mutation('signUp')
  signUp(@Args() { input }: MutationSignUpArgs, @Context() ctx: UsersContext) {
    return this.sessions.signUp(input, ctx.clientIp);
  }

  @Mutation('signIn')
  signIn(@Args() { email, password }: MutationSignInArgs, @Context() ctx: UsersContext) {
    return this.sessions.signIn(email, password, ctx.clientIp);
  }

  @Mutation('refreshSession')
  refreshSession(@Args() { refreshToken }: MutationRefreshSessionArgs) {
    return this.sessions.refresh(refreshToken);
  }

  @Mutation('signOut')
  signOut(@Args() { refreshToken }: MutationSignOutArgs) {
    return this.sessions.signOut(refreshToken);
  }
}
