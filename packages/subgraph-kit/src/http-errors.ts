import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';

/** What a client gets when a request fails before GraphQL runs: the same shape as GraphQL errors. */
export interface HttpErrorResponse {
  status: number;
  body: { errors: { message: string; extensions: { code: string } }[] };
  /** A server fault (logged in full, shown to the client as a generic 500). */
  unexpected: boolean;
}

/**
 * Options for the JSON body parser every service uses: a size limit, and UTF-8 that really is
 * UTF-8 (Node would quietly turn invalid bytes into U+FFFD and store them).
 */
export function jsonBodyOptions(limit: number | string) {
  return {
    limit,
    verify(_req: unknown, _res: unknown, body: Buffer, encoding: string) {
      if (/^utf-?8$/i.test(encoding) && !isUtf8(body)) {
        throw Object.assign(new Error('The request body is not valid UTF-8'), {
          status: 400,
          type: 'encoding.invalid',
        });
      }
    },
  };
}

/** Messages for the body parser's failures (by its error `type`), none echoing the input. */
const BODY_ERRORS: Record<string, (error: ErrorLike) => string> = {
  'entity.parse.failed': () => 'The request body must be a JSON object (or an array of them)',
  'entity.too.large': (error) =>
    typeof error.limit === 'number'
      ? `The request body is larger than ${error.limit} bytes`
      : 'The request body is too large',
  'entity.verify.failed': () => 'The request body was refused',
  'encoding.invalid': () => 'The request body is not valid UTF-8',
  'charset.unsupported': () => 'Unsupported charset: send JSON in UTF-8',
  'encoding.unsupported': () => 'Unsupported Content-Encoding (identity, gzip, deflate or br)',
  'request.aborted': () => 'The request was aborted before its body arrived',
  'request.size.invalid': () => 'The request body does not match its Content-Length',
  'parameters.too.many': () => 'Too many parameters',
};

const CODES: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'RATE_LIMITED',
};

interface ErrorLike {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  limit?: unknown;
  expose?: unknown;
  message?: unknown;
  cause?: unknown;
  getStatus?: () => number;
}

/**
 * Any error that ends an HTTP request outside GraphQL (the body parser, an unknown route, a
 * middleware) as JSON in the GraphQL error shape, with a code: 4xx keep their status and get a
 * fixed message; anything else is a 500 INTERNAL_SERVER_ERROR that says nothing more.
 */
export function httpErrorResponse(exception: unknown): HttpErrorResponse {
  const error = (exception ?? {}) as ErrorLike;
  // Nest wraps the body parser's http-errors in an HttpException whose cause is the original.
  const cause = (error.cause && typeof error.cause === 'object' ? error.cause : error) as ErrorLike;
  const status = statusOf(error) ?? statusOf(cause);
  if (status === undefined || status < 400 || status >= 500) {
    return respond(500, 'INTERNAL_SERVER_ERROR', 'Internal server error', true);
  }
  const describe = typeof cause.type === 'string' ? BODY_ERRORS[cause.type] : undefined;
  const message = describe
    ? describe(cause)
    : status === 404
      ? 'Not found'
      : status === 400
        ? 'The request could not be read'
        : (STATUS_CODES[status] ?? 'Bad request');
  return respond(status, CODES[status] ?? 'BAD_REQUEST', message, false);
}

function statusOf(error: ErrorLike): number | undefined {
  const candidates = [
    typeof error.getStatus === 'function' ? error.getStatus() : undefined,
    error.status,
    error.statusCode,
  ];
  return candidates.find((value): value is number => typeof value === 'number' && Number.isInteger(value));
}

function respond(status: number, code: string, message: string, unexpected: boolean): HttpErrorResponse {
  return { status, body: { errors: [{ message, extensions: { code } }] }, unexpected };
}
