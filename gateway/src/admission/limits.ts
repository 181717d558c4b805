import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { SupergraphPlanning } from '../supergraph/planning.js';
import { CostModel, describePath, type CostReport } from './cost.js';
import { refuse, type Refusal } from './errors.js';

export interface LimitSettings {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  /** Comments and whitespace are not tokens: the text itself is bounded too. */
  maxDocumentBytes: number;
  defaultListSize: number;
  production: boolean;
}

/**
 * Root fields a document may name once: each is a credential check or a counted signal, so
 * aliases must not turn one request into twenty guesses or twenty views.
 */
const ONCE_PER_REQUEST = new Set(['signIn', 'signUp', 'refreshSession', 'recordEventView']);

/** What is known of a document whatever its variables: parsed once, remembered by its text. */
interface Judged {
  schema: GraphQLSchema;
  refusal: Refusal | null;
  /** Parsed, and valid against the schema (else Apollo reports why, and APQ does not keep it). */
  document?: DocumentNode;
  /**
   * Costs by operation name and the values of the variables that size its lists (most
   * documents use a handful of page sizes); a few dozen per document at most.
   */
  costs?: Map<string, CostReport>;
  sizing?: Map<string, string[]>;
}

const COSTS_PER_DOCUMENT = 32;

export interface Verdict {
  refusal: Refusal | null;
  /** Whether the document is valid: only valid documents may be stored as APQ. */
  valid: boolean;
}

const tooComplex: GraphQLArmorRejectCallback = (context, error) =>
  context?.reportError(
    new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
      extensions: { code: 'QUERY_TOO_COMPLEX' },
    }),
  );

/**
 * Operation limits, checked before anything is planned or executed, on every transport: the
 * document's size in bytes and tokens (graphql-js's parser), depth, aliases and directives
 * (graphql-armor), a few root fields at most once, and its cost (cost.ts) with the request's
 * own variables. Over a limit is QUERY_TOO_COMPLEX (the once-per-request rule BAD_USER_INPUT).
 */
export function operationLimits(settings: LimitSettings) {
  const armor = new ApolloArmor({
    maxDepth: { n: settings.maxDepth, onReject: [tooComplex], propagateOnRejection: false },
    maxAliases: { n: settings.maxAliases, onReject: [tooComplex], propagateOnRejection: false },
    maxDirectives: { n: settings.maxDirectives, onReject: [tooComplex], propagateOnRejection: false },
    // Cost is ours (cost.ts): armor's multiplies only literal first/last.
    costLimit: { enabled: false },
    // Tokens are counted by graphql-js's parser below, before any rule runs.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: settings.production },
  }).protect();
  const rules: ValidationRule[] = [...specifiedRules, ...armor.validationRules];
  // Keyed by client input, so bounded by bytes: a parsed document takes roughly ten times its text.
  const judged = new LRUCache<string, Judged>({
    maxSize: 32 * 1024 * 1024,
    sizeCalculation: (_value, query) => query.length * 12 + 512,
  });
  const models = new WeakMap<SupergraphPlanning, CostModel>();
  const modelOf = (planning: SupergraphPlanning) => {
    let model = models.get(planning);
    if (!model) {
      model = new CostModel(planning.schema, planning.supergraphSchema, {
        defaultListSize: settings.defaultListSize,
        mutationCost: 10,
      });
      models.set(planning, model);
    }
    return model;
  };

  return {
    /** Apollo plugins (field suggestions are stripped from errors in production). */
    plugins: armor.plugins,
    check(
      planning: SupergraphPlanning,
      query: string,
      request: { operationName?: unknown; variables?: unknown },
    ): Verdict {
      if (Buffer.byteLength(query) > settings.maxDocumentBytes) {
        return {
          refusal: refuse.tooComplex(`The document is larger than ${settings.maxDocumentBytes} bytes`),
          valid: false,
        };
      }
      let known = judged.get(query);
      if (!known || known.schema !== planning.schema) {
        known = judge(planning.schema, query);
        judged.set(query, known);
      }
      if (known.refusal || !known.document) return { refusal: known.refusal, valid: false };
      const name = typeof request.operationName === 'string' ? request.operationName : undefined;
      const operation = getOperationAST(known.document, name);
      if (!operation) return { refusal: null, valid: true }; // Apollo explains which operation is missing
      const variables =
        request.variables && typeof request.variables === 'object' && !Array.isArray(request.variables)
          ? (request.variables as Record<string, unknown>)
          : {};
      const sizing = known.sizing?.get(name ?? '');
      const key = sizing && `${name ?? ''}\n${JSON.stringify(sizing.map((v) => variables[v] ?? null))}`;
      let report = key === undefined ? undefined : known.costs?.get(key);
      if (!report) {
        report = modelOf(planning).cost(known.document, operation, variables);
        const sizedBy = report.sizingVariables;
        (known.sizing ??= new Map()).set(name ?? '', sizedBy);
        const costs = (known.costs ??= new Map());
        if (costs.size < COSTS_PER_DOCUMENT)
          costs.set(`${name ?? ''}\n${JSON.stringify(sizedBy.map((v) => variables[v] ?? null))}`, report);
      }
      const { cost, heaviest } = report;
      if (cost <= settings.maxCost) return { refusal: null, valid: true };
      return {
        refusal: refuse.tooComplex(
          `Operation cost ${cost} is over the limit of ${settings.maxCost}. Most of it comes from ` +
            `${describePath(heaviest)}. Ask for smaller pages (first), fewer nested lists, or split the request.`,
          { cost, maxCost: settings.maxCost, path: heaviest.map((step) => step.field) },
        ),
        valid: true,
      };
    },
  };

  function judge(schema: GraphQLSchema, query: string): Judged {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: settings.maxTokens });
    } catch (error) {
      const message = (error as Error).message;
      if (/tokens/.test(message))
        return { schema, refusal: refuse.tooComplex(`Operation has more than ${settings.maxTokens} tokens`) };
      return { schema, refusal: null }; // a plain syntax error: Apollo reports it as GRAPHQL_PARSE_FAILED
    }
    const errors = validate(schema, document, rules);
    const limit = errors.find((e) => e.extensions.code === 'QUERY_TOO_COMPLEX');
    if (limit) return { schema, refusal: refuse.tooComplex(limit.message) };
    const repeated = repeatedOnceFields(document);
    if (repeated) {
      return {
        schema,
        refusal: refuse.badUserInput(`${repeated} may appear once per request`),
      };
    }
    return errors.length > 0 ? { schema, refusal: null } : { schema, refusal: null, document };
  }
}

function repeatedOnceFields(document: DocumentNode): string | undefined {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition.selectionSet);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const seen = new Set<string>();
    const visited = new Set<string>();
    // Root fields, also those spread from fragments on the root type.
    const walk = (set: SelectionSetNode): string | undefined => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (!ONCE_PER_REQUEST.has(selection.name.value)) continue;
          if (seen.has(selection.name.value)) return selection.name.value;
          seen.add(selection.name.value);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const found = walk(selection.selectionSet);
          if (found) return found;
        } else if (!visited.has(selection.name.value)) {
          visited.add(selection.name.value);
          const spread = fragments.get(selection.name.value);
          const found = spread && walk(spread);
          if (found) return found;
        }
      }
      return undefined;
    };
    const found = walk(definition.selectionSet);
    if (found) return found;
  }
  return undefined;
}

export type OperationLimits = ReturnType<typeof operationLimits>;
