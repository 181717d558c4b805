import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';

// A NUL character cannot be stored in PostgreSQL text at all, and an unpaired surrogate cannot be
// encoded as UTF-8 (it would be stored as U+FFFD): both are refused before anything runs.
const INVALID_TEXT = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first string in `value` (nested anywhere in objects or arrays) that is not valid text. */
export function findInvalidText(value: unknown): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (INVALID_TEXT.test(next)) return next;
    } else if (next && typeof next === 'object') {
      // One by one: spreading a list of a million items would overflow the call stack.
      for (const item of Array.isArray(next) ? next : Object.values(next)) pending.push(item);
    }
  }
  return undefined;
}

function documentHasInvalidText(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (INVALID_TEXT.test(node.value)) found = true;
    },
  });
  return found;
}

/**
 * Refuses text arguments (variables or literals) holding a NUL character or an unpaired
 * surrogate with BAD_USER_INPUT (HTTP 400), instead of letting the database fail on them.
 */
export function textGuard(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (findInvalidText(request.variables) !== undefined || documentHasInvalidText(document)) {
            throw new GraphQLError('Text must not contain NUL characters or unpaired surrogates', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
