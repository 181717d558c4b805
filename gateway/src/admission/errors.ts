/** A request refused before execution: the HTTP status and the GraphQL errors to send. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {}

  get body() {
    return { errors: [{ message: this.message, extensions: { ...this.extensions, code: this.code } }] };
  }
}

export const refuse = {
  unauthenticated: (message: string) => new Refusal(401, 'UNAUTHENTICATED', message),
  notAllowed: (message: string) => new Refusal(400, 'PERSISTED_QUERY_NOT_ALLOWED', message),
  // Apollo clients look for this exact message before retrying with the full document.
  notFound: () => new Refusal(200, 'PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound'),
  tooComplex: (message: string, extensions: Record<string, unknown> = {}) =>
    new Refusal(400, 'QUERY_TOO_COMPLEX', message, extensions),
  badUserInput: (message: string) => new Refusal(400, 'BAD_USER_INPUT', message),
  badRequest: (message: string) => new Refusal(400, 'BAD_REQUEST', message),
  rateLimited: (retryAfterSeconds: number) =>
    new Refusal(
      429,
      'RATE_LIMITED',
      `Too many requests; retry in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
      { 'retry-after': String(retryAfterSeconds) },
    ),
};
