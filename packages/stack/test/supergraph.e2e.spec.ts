import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { composeSupergraph, DEFAULT_SUPERGRAPH_PATH, readSupergraphConfig } from '@marquee/gateway';
import { errorCodes, graphql } from '@marquee/subgraph-kit/testing';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness.js';

const configPath = fileURLToPath(new URL('../../../supergraph.yaml', import.meta.url));

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

describe('the supergraph', () => {
  it('is composed from the committed subgraph files and is not stale', async () => {
    const entries = readSupergraphConfig(configPath);
    const { supergraphSdl, subgraphSdls } = await composeSupergraph(entries);
    expect(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8')).toBe(supergraphSdl);
    for (const entry of entries)
      expect(readFileSync(entry.schemaFile, 'utf8')).toBe(subgraphSdls.get(entry.name));
  });

  it('matches what the running subgraphs serve', async () => {
    const entries = readSupergraphConfig(configPath);
    const served = [];
    for (const entry of entries) {
      const url = stack.urls[entry.name as keyof TestStack['urls']];
      const res = await graphql<{ _service: { sdl: string } }>(
        url,
        `
          {
            _service {
              sdl
            }
          }
        `,
        {},
        { internalSecret: stack.internalSecret },
      );
      served.push({ name: entry.name, url: entry.url, typeDefs: parse(res.data!._service.sdl) });
    }
    const composed = composeServices(served);
    expect(composed.errors).toBeUndefined();
    expect(composed.supergraphSdl).toBe(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8'));
  });

  it('subgraphs refuse calls that skip the gateway', async () => {
    for (const url of Object.values(stack.urls)) {
      const res = await graphql(
        url,
        `
          {
            __typename
          }
        `,
      );
      expect(res.status).toBe(401);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('answers requests the executor cannot run with a 400, not a 500', async () => {
    const post = (body: object) =>
      fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const unknownName = await post({ query: '{ __typename }', operationName: 'Nope' });
    expect(unknownName.status).toBe(400);
    expect(await unknownName.json()).toMatchObject({
      errors: [{ extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }],
    });
    const subscription = await post({
      query: 'subscription { ticketAvailabilityChanged(eventId: "x") { held } }',
    });
    expect(subscription.status).toBe(400);
    expect(await subscription.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('every service answers /health, /ready and /metrics', async () => {
    for (const url of [...Object.values(stack.urls), stack.gatewayUrl]) {
      const base = url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
      expect(await metrics.text()).toMatch(/process_cpu_user_seconds_total/);
    }
  });
});
