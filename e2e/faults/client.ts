import type { TestStack } from '../harness.js';

/**
 * A GraphQL client for fault tests: it never throws on what the server sends (a 500, an HTML
 * page, a cut connection are all outcomes to count), and it tallies answers by error code.
 */
export interface Answer<T = Record<string, unknown>> {
  /** HTTP status; 0 when no response came (connection refused or reset). */
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  /** The raw body when it was not JSON, or the network error. */
  raw?: string;
}

export async function post<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    return { status: 0, raw: String(error) };
  }
  const text = await response.text();
  try {
    return { status: response.status, ...(JSON.parse(text) as Omit<Answer<T>, 'status'>) };
  } catch {
    return { status: response.status, raw: text.slice(0, 500) };
  }
}

/** The error codes of an answer ('OK' when it had none). */
export const codesOf = (answer: Answer<unknown>) =>
  answer.errors?.length ? answer.errors.map((e) => String(e.extensions?.code)) : ['OK'];

/** Counts of answers per HTTP status and error code, for the measured figures each suite logs. */
export class Tally {
  readonly byCode: Record<string, number> = {};
  readonly byStatus: Record<string, number> = {};
  sent = 0;

  add(answer: Answer<unknown>) {
    this.sent += 1;
    this.byStatus[answer.status] = (this.byStatus[answer.status] ?? 0) + 1;
    for (const code of new Set(codesOf(answer))) this.byCode[code] = (this.byCode[code] ?? 0) + 1;
  }
}

/**
 * What an error shown to a client must never contain: a stack frame, SQL, or a driver's
 * connection error (they would tell an attacker what runs behind the API).
 */
const LEAKS = [
  /\bat .+:\d+:\d+/,
  /\b(select|insert|update|delete)\b.+\b(from|into|set)\b/i,
  /ECONNREFUSED|ECONNRESET|CONNECTION_(CLOSED|ENDED|DESTROYED)|terminating connection|postgres|redis/i,
];

/** Errors that are not coded, or that leak internals; [] when every error is clean. */
export function uncleanErrors(answer: Answer<unknown>): string[] {
  const problems: string[] = [];
  if (answer.raw !== undefined) problems.push(`not JSON (${answer.status}): ${answer.raw}`);
  for (const error of answer.errors ?? []) {
    const { code, stacktrace, exception } = (error.extensions ?? {}) as Record<string, unknown>;
    if (typeof code !== 'string') problems.push(`no code: ${JSON.stringify(error)}`);
    if (stacktrace || exception) problems.push(`internals in extensions: ${JSON.stringify(error)}`);
    if (LEAKS.some((leak) => leak.test(error.message))) problems.push(`leaky message: ${error.message}`);
  }
  return problems;
}

/** A gateway client shaped like the test harness, so fixtures.ts (createEvent) works with it. */
export function gatewayClient(gatewayUrl: string) {
  const call = <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ) => post<T>(gatewayUrl, query, variables, token);
  const auth = async (field: 'signIn' | 'signUp', query: string, variables: Record<string, unknown>) => {
    const answer = await call<Record<string, { accessToken: string; user: { id: string } }>>(
      query,
      variables,
    );
    const payload = answer.data?.[field];
    if (!payload) throw new Error(`${field} failed: ${JSON.stringify(answer)}`);
    return { token: payload.accessToken, userId: payload.user.id };
  };
  return {
    call,
    asStack: { call } as unknown as TestStack,
    signIn: (email: string, password: string) =>
      auth(
        'signIn',
        `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken user { id } } }`,
        { e: email, p: password },
      ),
    signUp: (email: string) =>
      auth('signUp', `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken user { id } } }`, {
        i: { email, password: 'long enough password', name: 'Fault Tester' },
      }),
  };
}

/** Prometheus text: the value of one sample, e.g. sample(text, 'gateway_subgraph_breaker_state{subgraph="users"}'). */
export function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
