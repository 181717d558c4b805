import { buildOperationContext } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { LRUCache } from 'lru-cache';
import {
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { sha256 } from '../sha256.js';

/** A subscription operation, validated and planned once, shared by everyone who sends it. */
export interface PreparedSubscription {
  /** Hash of the document text and operation name: part of the fan-out key. */
  id: string;
  document: DocumentNode;
  operationName: string | undefined;
  operationContext: ReturnType<typeof buildOperationContext>;
  /** The subscription fetch at the subgraph that owns the field. */
  primary: FetchNode;
  /** What the rest of the selection needs from other subgraphs, per event. */
  rest: PlanNode | undefined;
}

export type Prepared =
  | { kind: 'subscription'; prepared: PreparedSubscription }
  | { kind: 'other'; document: DocumentNode }
  | { kind: 'invalid'; errors: readonly GraphQLError[] };

/**
 * The supergraph as the subscription path sees it: the same composition libraries and query
 * planner the gateway uses (@apollo/federation-internals, @apollo/query-planner). Plans are
 * cached by document, like the gateway's own query plan store.
 */
export class SupergraphPlanning {
  readonly supergraphSchema: GraphQLSchema;
  readonly apiSchema: Schema;
  /** The public (API) schema: what clients' documents are validated against. */
  readonly schema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  // Keyed by client documents: bounded by bytes (a plan and its document are ~20x the text).
  private readonly cache = new LRUCache<string, Prepared>({
    maxSize: 32 * 1024 * 1024,
    sizeCalculation: (_value, key) => key.length * 20 + 1_024,
  });

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.apiSchema = supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  prepare(query: string, operationName: string | undefined): Prepared {
    const id = sha256(query, operationName ?? '');
    const cacheKey = `${id}\n${query}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const prepared = this.plan(id, query, operationName);
    this.cache.set(cacheKey, prepared);
    return prepared;
  }

  private plan(id: string, query: string, operationName: string | undefined): Prepared {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: 10_000 });
    } catch (error) {
      return { kind: 'invalid', errors: [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
    }
    const errors = validate(this.schema, document);
    if (errors.length > 0) {
      return { kind: 'invalid', errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) };
    }
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return { kind: 'invalid', errors: [gqlError('Could not determine which operation to run')] };
    }
    if (operation.operation !== 'subscription') return { kind: 'other', document };
    const plan = this.planner.buildQueryPlan(
      operationFromDocument(this.apiSchema, document, { operationName, validate: false }),
    );
    const node = plan.node;
    if (node?.kind !== 'Subscription') {
      return { kind: 'invalid', errors: [gqlError('This subscription cannot be planned')] };
    }
    return {
      kind: 'subscription',
      prepared: {
        id,
        document,
        operationName,
        operationContext: buildOperationContext({
          schema: this.schema,
          operationDocument: document,
          operationName,
        }),
        primary: node.primary,
        rest: node.rest,
      },
    };
  }
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    extensions: { ...error.extensions, code },
  });
}

function gqlError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}
