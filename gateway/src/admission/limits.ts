import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError, parse, validate, type GraphQLSchema, type ValidationRule } from 'graphql';
import { refuse, type Refusal } from './errors.js';

export interface LimitSettings {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  production: boolean;
}

const tooComplex: GraphQLArmorRejectCallback = (context, error) =>
  context?.reportError(
    new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
      extensions: { code: 'QUERY_TOO_COMPLEX' },
    }),
  );

/**
 * Operation limits from graphql-armor (depth, aliases, directives, cost) plus graphql-js's own
 * token limit, checked before anything executes; over a limit is QUERY_TOO_COMPLEX. Armor's
 * field-suggestion blocking is an Apollo plugin, on in production.
 */
export function operationLimits(settings: LimitSettings) {
  const armor = new ApolloArmor({
    maxDepth: { n: settings.maxDepth, onReject: [tooComplex], propagateOnRejection: false },
    maxAliases: { n: settings.maxAliases, onReject: [tooComplex], propagateOnRejection: false },
    maxDirectives: { n: settings.maxDirectives, onReject: [tooComplex], propagateOnRejection: false },
    costLimit: { maxCost: settings.maxCost, onReject: [tooComplex], propagateOnRejection: false },
    // Tokens are counted by graphql-js's parser below, before any rule runs.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: settings.production },
  }).protect();
  const rules: ValidationRule[] = armor.validationRules;
  const verdicts = new Map<string, Refusal | null>();

  return {
    /** Apollo plugins (field suggestions are stripped from errors in production). */
    plugins: armor.plugins,
    /** Null when the document is within every limit; cached per document text. */
    check(schema: GraphQLSchema, query: string): Refusal | null {
      const cached = verdicts.get(query);
      if (cached !== undefined) return cached;
      const verdict = judge(schema, query);
      if (verdicts.size > 5_000) verdicts.delete(verdicts.keys().next().value!);
      verdicts.set(query, verdict);
      return verdict;
    },
  };

  function judge(schema: GraphQLSchema, query: string): Refusal | null {
    let document;
    try {
      document = parse(query, { maxTokens: settings.maxTokens });
    } catch (error) {
      const message = (error as Error).message;
      if (/tokens/.test(message))
        return refuse.tooComplex(`Operation has more than ${settings.maxTokens} tokens`);
      return null; // a plain syntax error: Apollo reports it as GRAPHQL_PARSE_FAILED
    }
    const [first] = validate(schema, document, rules);
    return first ? refuse.tooComplex(first.message) : null;
  }
}

export type OperationLimits = ReturnType<typeof operationLimits>;
