import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { UsersContext } from '../context.js';
import type {
  MutationCreateApiKeyArgs,
  MutationRevokeApiKeyArgs,
  QueryActiveApiKeyByHashArgs,
} from '../generated/resolvers.js';
import { ApiKeysService } from './api-keys.service.js';

@Resolver('ApiKey')
export class ApiKeysResolver {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Query('apiKeys')
  list(@Context() ctx: UsersContext) {
    return this.apiKeys.list(ctx.caller);
  }

  @Query('activeApiKeyByHash')
  activeByHash(@Args() { keyHash }: QueryActiveApiKeyByHashArgs) {
    return this.apiKeys.activeByHash(keyHash);
  }

  @Mutation('createApiKey')
  create(@Args() { name, rateLimitPerMinute }: MutationCreateApiKeyArgs, @Context() ctx: UsersContext) {
    return this.apiKeys.create(ctx.caller, name, rateLimitPerMinute);
  }

  @Mutation('revokeApiKey')
  revoke(@Args() { id }: MutationRevokeApiKeyArgs, @Context() ctx: UsersContext) {
    return this.apiKeys.revoke(ctx.caller, id);
  }
}
