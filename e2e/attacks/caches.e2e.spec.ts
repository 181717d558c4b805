import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../harness.js';
import { attackReport, codeOf, post } from './report.js';

/**
 * Memory and labels that callers control. Before: APQ stored a document before its limits and
 * the caller's token were checked, a 0.9 MB document of comments passed the token limit, caches
 * were bounded by entry count only (150 such documents kept 400 MB), and the client-chosen
 * operationName became a Prometheus label at the gateway and every subgraph (300 requests with
 * 20 kB names grew each /metrics from 25 kB to 84 MB).
 */
const observe = attackReport('caches');
let stack: TestStack;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const apq = (query: string) => ({
  extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } },
});

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

describe('automatic persisted queries', () => {
  it('stores a document only once it passed the limits', async () => {
    const bomb = `{ events { edges { node { ${'similarEvents { '.repeat(8)}id${' }'.repeat(8)} } } } }`;
    const register = await post(stack.gatewayUrl, { query: bomb, ...apq(bomb) });
    const lookup = await post(stack.gatewayUrl, apq(bomb));
    observe('APQ registration of an over-limit document', {
      register: codeOf(register),
      hashOnlyAfterwards: codeOf(lookup),
    });
    expect(codeOf(register)).toBe('QUERY_TOO_COMPLEX');
    expect(codeOf(lookup)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('stores nothing for a caller whose token is invalid', async () => {
    const query = `{ trendingEvents(first: 2) { id title } }`;
    const register = await post(
      stack.gatewayUrl,
      { query, ...apq(query) },
      { authorization: 'Bearer forged' },
    );
    const lookup = await post(stack.gatewayUrl, apq(query));
    observe('APQ registration with an invalid token', {
      register: codeOf(register),
      hashOnlyAfterwards: codeOf(lookup),
    });
    expect(register.status).toBe(401);
    expect(codeOf(lookup)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a document of 0.9 MB of comments, by APQ or as a plain request', async () => {
    const padded = `# ${'x'.repeat(900_000)}\n{ trendingEvents(first: 1) { id } }`;
    const plain = await post(stack.gatewayUrl, { query: padded });
    const registered = await post(stack.gatewayUrl, { query: padded, ...apq(padded) });
    observe('0.9 MB document of comments', { plain: codeOf(plain), apq: codeOf(registered) });
    expect(codeOf(plain)).toBe('QUERY_TOO_COMPLEX');
    expect(plain.body.errors![0]!.message).toMatch(/larger than 32768 bytes/);
    expect(codeOf(registered)).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('metric labels', () => {
  it('stay a bounded set whatever operation names clients send', async () => {
    const sizes = async () =>
      Object.fromEntries(
        await Promise.all(
          [['gateway', stack.gatewayUrl] as const, ...Object.entries(stack.urls)].map(async ([name, url]) => [
            name,
            (await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text()).length,
          ]),
        ),
      ) as Record<string, number>;
    const before = await sizes();
    for (let i = 0; i < 300; i++) {
      const name = `Op${i}_${'n'.repeat(20_000)}`;
      // Each name is planned into a fetch to two subgraphs: events, and recommendations' entities.
      const answer = await post(stack.gatewayUrl, {
        query: `query ${name} { events(first: 1) { edges { node { id similarEvents(first: 1) { id } } } } }`,
        operationName: name,
      });
      expect(answer.status).toBe(200);
    }
    const after = await sizes();
    observe('300 requests with 20 kB operation names', {
      metricsBytesBefore: before,
      metricsBytesAfter: after,
    });
    for (const [service, size] of Object.entries(after))
      expect(size, service).toBeLessThan(before[service]! + 20_000);
    const gateway = await (await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
    expect(gateway).not.toMatch(/Op\d+_n/);
    expect(gateway).toMatch(/graphql_requests_total\{[^}]*operation="other"/);
  });
});
