import type { GraphQLFormattedError } from 'graphql';
import { loggableError } from './log-scrub.js';

/** Codes that are safe to show as they are: ours, and graphql-js / Apollo request errors. */
const PUBLIC_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_ALLOWED',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  // The gateway: a subgraph that did not answer (in time); the rest of the data still comes.
  'SERVICE_UNAVAILABLE',
]);

export interface ErrorLog {
  error(object: object, message: string): void;
}

/**
 * Never a stack trace or SQL text: unknown errors become a generic INTERNAL_SERVER_ERROR
 * (logged on the server with its cause chain, so the SQL state too, but never a failed query's
 * values: see log-scrub.ts), and known ones lose every extension but their own.
 */
export function createErrorFormatter(log: ErrorLog) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (!PUBLIC_CODES.has(code)) {
      log.error({ err: describe(error), path: formatted.path }, 'unexpected error while resolving');
      if (databaseUnavailable(error)) {
        return {
          message: 'The service is temporarily unavailable; retry shortly',
          ...(formatted.path ? { path: formatted.path } : {}),
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        };
      }
      return {
        message: 'Internal server error',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    }
    const { stacktrace: _s, exception: _e, http: _h, ...extensions } = formatted.extensions ?? {};
    return {
      message: formatted.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { ...extensions, code },
    };
  };
}

function describe(error: unknown): unknown {
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  return original instanceof Error ? loggableError(original) : loggableError(String(original));
}

/**
 * The database went away (restart, failover, network): the request did nothing it could not
 * retry, so the client hears "unavailable, retry", not "internal error". postgres.js names its
 * connection errors; Postgres itself sends class 08 (connection) and 57P0x (shutting down).
 */
const CONNECTION_CODES =
  /^(CONNECTION_(CLOSED|ENDED|DESTROYED)|CONNECT_TIMEOUT|ECONNREFUSED|ECONNRESET|EPIPE|08[0-9A-Z]{3}|57P0[123])$/;

function databaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = (error as { originalError?: unknown })?.originalError ?? error;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.test(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
