import {
  Args,
  Context,
  Mutation,
  Parent,
  Query,
  ResolveField,
  ResolveReference,
  Resolver,
} from '@nestjs/graphql';
import type { UsersContext } from '../context.js';
import type { MutationGrantRoleArgs, QueryUserArgs } from '../generated/resolvers.js';
import type { Account } from './users.repository.js';
import { UsersService } from './users.service.js';

@Resolver('User')
export class UsersResolver {
  constructor(private readonly users: UsersService) {}

  @Query('me')
  me(@Context() ctx: UsersContext) {
    return this.users.me(ctx);
  }

  @Query('user')
  user(@Args() { id }: QueryUserArgs, @Context() ctx: UsersContext) {
    return this.users.byId(ctx, id);
  }

  @ResolveReference()
  reference(@Parent() ref: { id: string }, @Context() ctx: UsersContext) {
    return this.users.byId(ctx, ref.id);
  }

  @ResolveField('email')
  email(@Parent() account: Account, @Context() ctx: UsersContext) {
    return this.users.emailFor(ctx.caller, account);
  }

  @Mutation('grantRole')
  grantRole(@Args() { userId, role }: MutationGrantRoleArgs, @Context() ctx: UsersContext) {
    return this.users.grantRole(ctx.caller, userId, role);
  }
}
