import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { SessionsService } from './sessions.service.js';

@Resolver()
export class SessionsResolver {
  constructor(private readonly sessions: SessionsService) {}

  @Mutation('signUp')
  signUp(@Args('input') input: { email: string; password: string; name: string }) {
    return this.sessions.signUp(input);
  }

  @Mutation('signIn')
  signIn(@Args('email') email: string, @Args('password') password: string) {
    return this.sessions.signIn(email, password);
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
