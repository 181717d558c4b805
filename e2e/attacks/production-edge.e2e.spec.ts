import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../harness.js';
import { attackReport, codeOf, post } from './report.js';

/**
 * The production edge. Before: with NODE_ENV=production, "registered operations only" was
 * bypassed by APQ (any anonymous client ran any document by sending its hash and the query),
 * and /metrics and /ready were public on the API port.
 */
const observe = attackReport('production-edge');
const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const production = {
  NODE_ENV: 'production',
  JWT_PRIVATE_KEY: pem,
  // A staging-like deployment: the built-in test payment provider, knowingly.
  ALLOW_TEST_PAYMENTS: 'true',
};
let stack: TestStack;
let withApq: TestStack;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  stack = await startTestStack(production);
  withApq = await startTestStack({ ...production, APQ_IN_PRODUCTION: 'true' });
});
afterAll(async () => {
  await stack?.stop();
  await withApq?.stop();
});

describe('production', () => {
  const query = '{ events(first: 3) { totalCount edges { node { id title } } } }';
  const apq = { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };

  it('runs registered operations only: APQ cannot register a document', async () => {
    const register = await post(stack.gatewayUrl, apq);
    const hashOnly = await post(stack.gatewayUrl, { extensions: apq.extensions });
    observe('APQ registration of an unregistered document in production', {
      status: register.status,
      code: codeOf(register),
      hashOnlyAfterwards: codeOf(hashOnly),
    });
    expect(register.status).toBe(400);
    expect(codeOf(register)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    expect(codeOf(hashOnly)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('takes APQ only when APQ_IN_PRODUCTION=true says so', async () => {
    const register = await post(withApq.gatewayUrl, apq);
    expect(register.body.errors).toBeUndefined();
    const hashOnly = await post(withApq.gatewayUrl, { extensions: apq.extensions });
    expect(hashOnly.body.data).toEqual(register.body.data);
  });

  it('with APQ on, still refuses introspection and field suggestions', async () => {
    const send = (text: string) =>
      post(withApq.gatewayUrl, {
        query: text,
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(text) } },
      });
    const introspection = await send('{ __schema { types { name } } }');
    expect(JSON.stringify(introspection.body)).toMatch(/introspection/i);
    expect(introspection.body.data).toBeUndefined();
    const suggested = await send('{ evnts { totalCount } }');
    expect(codeOf(suggested)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(suggested.body.errors![0]!.message).not.toMatch(/Did you mean/);
  });

  it('serves /metrics and /ready on the ops port only; /health stays public', async () => {
    const publicBase = stack.gatewayUrl.replace(/\/graphql$/, '');
    const opsBase = stack.gateway.opsUrl;
    expect(opsBase).not.toBe(publicBase);
    const statuses = {
      publicMetrics: (await fetch(`${publicBase}/metrics`)).status,
      publicReady: (await fetch(`${publicBase}/ready`)).status,
      publicHealth: (await fetch(`${publicBase}/health`)).status,
      opsMetrics: (await fetch(`${opsBase}/metrics`)).status,
      opsReady: (await fetch(`${opsBase}/ready`)).status,
    };
    observe('/metrics and /ready on the public port in production', statuses);
    expect(statuses).toEqual({
      publicMetrics: 404,
      publicReady: 404,
      publicHealth: 200,
      opsMetrics: 200,
      opsReady: 200,
    });
    expect(await (await fetch(`${opsBase}/metrics`)).text()).toMatch(/graphql_requests_total|process_cpu/);
  });
});
