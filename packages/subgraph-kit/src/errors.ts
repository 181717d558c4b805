import { GraphQLError } from 'graphql';

/** The codes API.md promises; anything else reaching a client is masked. */
export const ErrorCode = {
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  badUserInput: 'BAD_USER_INPUT',
  notFound: 'NOT_FOUND',
  conflict: 'CONFLICT',
  rateLimited: 'RATE_LIMITED',
  persistedQueryNotFound: 'PERSISTED_QUERY_NOT_FOUND',
  persistedQueryNotAllowed: 'PERSISTED_QUERY_NOT_ALLOWED',
  queryTooComplex: 'QUERY_TOO_COMPLEX',
} as const;

function apiError(code: string, message: string, extra: Record<string, unknown> = {}, status?: number) {
  return new GraphQLError(message, {
    extensions: { code, ...extra, ...(status ? { http: { status } } : {}) },
  });
}

export const unauthenticated = (message = 'Sign in first') => apiError(ErrorCode.unauthenticated, message);
export const forbidden = (message = 'You are not allowed to do this') =>
  apiError(ErrorCode.forbidden, message);
export const notFound = (what: string) => apiError(ErrorCode.notFound, `${what} not found`);
export const conflict = (message: string, extra?: Record<string, unknown>) =>
  apiError(ErrorCode.conflict, message, extra);
/** `field` names the offending input, so forms can point at it. */
export const badInput = (message: string, field?: string) =>
  apiError(ErrorCode.badUserInput, message, field ? { field } : {});
/** As the gateway's own rate limit answers: `retryAfterSeconds` says when trying again can work. */
export const rateLimited = (retryAfterSeconds: number, what = 'requests') =>
  apiError(ErrorCode.rateLimited, `Too many ${what}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
