import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { UsersContext } from '../context.js';
import { ApiKeysService } from './api-keys.service.js';

@Resolver('ApiKey')
export class ApiKeysResolver {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Query('apiKeys')
  list(@Context() ctx: UsersContext) {
    return this.apiKeys.list(ctx.caller);
  }

  @Query('activeApiKeyByHash')
  activeByHash(@Args('keyHash') keyHash: string) {
    return this.apiKeys.activeByHash(keyHash);
  }

  @Mutation('createApiKey')
  create(
    @Args('name') name: string,
    @Args('rateLimitPerMinute') rateLimitPerMinute: number,
    @Context() ctx: UsersContext,
  ) {
    return this.apiKeys.create(ctx.caller, name, rateLimitPerMinute);
  }

  @Mutation('revokeApiKey')
  revoke(@Args('id') id: string, @Context() ctx: UsersContext) {
    return this.apiKeys.revoke(ctx.caller, id);
  }
}
