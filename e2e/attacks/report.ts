import { afterAll } from 'vitest';

/**
 * What each attack did, printed as one JSON line per suite (ATTACK_REPORT ...), so the same
 * suite run against an older commit shows the "before" next to the "after".
 */
export function attackReport(suite: string) {
  const seen: Record<string, unknown> = {};
  afterAll(() => {
    console.log(`ATTACK_REPORT ${JSON.stringify({ suite, ...seen })}`);
  });
  return (finding: string, observed: unknown) => {
    seen[finding] = observed;
  };
}

/** Posts a GraphQL request as a client would, with any headers; never throws on a status. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: ReturnType<typeof JSON.parse>;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { errors: [{ message: text.slice(0, 200), extensions: { code: 'NOT_JSON' } }] };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export const codeOf = (answer: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) =>
  answer.body.errors?.[0]?.extensions?.code as string | undefined;
