import { printSchema, Supergraph } from '@apollo/federation-internals';

/**
 * The API schema clients see (no join__/link__ machinery, @inaccessible removed) as SDL, from a
 * supergraph. Printed by federation-internals itself: its GraphQLSchema objects belong to its own
 * copy of graphql-js, so callers rebuild the schema from this text with theirs.
 */
export function apiSchemaSdl(supergraphSdl: string): string {
  return printSchema(Supergraph.build(supergraphSdl).apiSchema());
}
