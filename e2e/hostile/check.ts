import type { RawRequest } from './raw.js';

/** Codes a hostile request may be answered with: API.md's, and GraphQL's own request errors. */
export const CLEAN_CODES = new Set([
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
]);

/** What must never reach a client: stack frames, source paths, SQL and database errors. */
const LEAKS = [
  /\n\s+at \S+/,
  /\bat [\w$.<>]+ \([^)]*:\d+:\d+\)/,
  /\.(ts|js|mjs|cjs):\d+/,
  /node_modules/,
  /\/work\/|\/home\/|file:\/\//,
  /stacktrace/i,
  /PostgresError|DrizzleQueryError|Failed query/,
  /syntax error at or near|violates .* constraint|duplicate key value|invalid input syntax for|relation "|column "/,
  /ECONNREFUSED|ECONNRESET|<html|<!DOCTYPE/i,
  /NestJS|Express|X-Powered-By/,
];

export interface Sent {
  /** Where it went: `gateway`, `events`, ... */
  target: string;
  request: RawRequest;
  /** True when the input is wrong on purpose: the answer must hold errors. */
  mustFail?: boolean;
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** What is wrong with an answer to a hostile request, or null when it is clean. */
export function problemWith(sent: Sent, answer: Answer): string | null {
  const { status, text } = answer;
  if (status >= 500) return `status ${status}: ${excerpt(text)}`;
  for (const leak of LEAKS) if (leak.test(text)) return `leaks ${leak}: ${excerpt(text)}`;
  if (sent.request.sizeStatuses?.includes(status) && text.length === 0) return null;
  if (sent.request.bodyless && text.length === 0) return null;
  if (/text\/event-stream/.test(answer.contentType)) return streamProblem(sent, status, text);
  if (!/json/.test(answer.contentType))
    return `status ${status}, content-type ${answer.contentType || 'none'}: ${excerpt(text)}`;
  const body = parse(text);
  return body ? bodyProblem(sent, status, body, text) : `status ${status}, not JSON: ${excerpt(text)}`;
}

type Body = { data?: unknown; errors?: unknown };

function parse(text: string): Body | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Body) : undefined;
  } catch {
    return undefined;
  }
}

/** Server-Sent Events (Accept: text/event-stream): every `next` payload is judged like a body. */
function streamProblem(sent: Sent, status: number, text: string): string | null {
  const payloads = [...text.matchAll(/^data: (.+)$/gm)].map((m) => m[1]!);
  if (payloads.length === 0 || !/event: complete/.test(text))
    return `an event stream without payloads or end: ${excerpt(text)}`;
  for (const payload of payloads) {
    const body = parse(payload);
    const problem = body ? bodyProblem(sent, status, body, payload) : `an event that is not JSON: ${payload}`;
    if (problem) return problem;
  }
  return null;
}

/** A GraphQL response: data (when the input was valid after all), or errors that all have a clean code. */
export function bodyProblem(sent: Sent, status: number, body: Body, text: string): string | null {
  if (body.errors === undefined) {
    if (sent.mustFail) return `accepted: ${excerpt(text)}`;
    if (status >= 400) return `status ${status} without errors`;
    return body.data && typeof body.data === 'object' ? null : `neither data nor errors: ${excerpt(text)}`;
  }
  if (!Array.isArray(body.errors) || body.errors.length === 0)
    return `errors is not a list: ${excerpt(text)}`;
  for (const error of body.errors as { message?: unknown; extensions?: { code?: unknown } }[]) {
    const code = error?.extensions?.code;
    if (typeof error?.message !== 'string') return `an error without a message: ${excerpt(text)}`;
    if (typeof code !== 'string') return `an error without a code: ${excerpt(text)}`;
    if (!CLEAN_CODES.has(code)) return `code ${code}: ${excerpt(text)}`;
  }
  return null;
}

const excerpt = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** Sends one request with fetch; network failures are answers too (status 0). */
export async function send(
  url: string,
  request: RawRequest,
  extraHeaders: Record<string, string>,
): Promise<Answer> {
  try {
    const response = await fetch(`${url}${request.suffix ?? ''}`, {
      method: request.method,
      headers: { ...request.headers, ...extraHeaders },
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: AbortSignal.timeout(20_000),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  } catch (error) {
    return {
      status: 599,
      contentType: '',
      text: `request failed: ${(error as Error).message} ${String((error as Error).cause ?? '')}`,
    };
  }
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inPool<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
