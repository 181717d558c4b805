import { createHash } from 'node:crypto';
import { seedDemo } from '@marquee/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type Services } from '../faults/services.js';
import { allCases } from '../hostile/cases.js';
import { inPool, problemWith, send } from '../hostile/check.js';
import { introspect } from '../hostile/schema.js';
import { attackReport, codeOf, post } from './report.js';

/**
 * The gateway in its own process (services mode, on the demo catalogue), under the hostile
 * suite's generated requests and every memory attack of Step 9 at once: it answers each one
 * cleanly and stays up, and its peak RSS is reported. Before, one 8-level similarEvents
 * request grew it to 4.4 GB until the heap ran out, and 150 documents of 0.9 MB kept 400 MB.
 */
const observe = attackReport('gateway-memory');
let services: Services;

beforeAll(async () => {
  services = await startServices();
  await seedDemo({ gatewayUrl: services.gatewayUrl, databaseUrl: services.databaseUrl, nodeEnv: 'test' });
}, 180_000);
afterAll(() => services?.stop());

const nested = (levels: number) =>
  `{ events { edges { node { ${'similarEvents { '.repeat(levels)}id${' }'.repeat(levels)} } } } }`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the gateway process under attack', () => {
  it('answers every hostile request and memory attack cleanly, and stays up', async () => {
    const url = services.gatewayUrl;
    const idle = services.peakRssMb('gateway');
    const problems: string[] = [];

    const cases = allCases(await introspect(url, {}), 2026, 'Event', 1_000_000);
    await inPool(cases, 8, async ({ request, mustFail }) => {
      const problem = problemWith(
        { target: 'gateway', request, ...(mustFail ? { mustFail } : {}) },
        await send(url, request, {}),
      );
      if (problem) problems.push(`[${request.category}] ${request.label}: ${problem}`);
    });

    const bombs = [nested(8), nested(12), nested(6)];
    const refused = await Promise.all(bombs.map((query) => post(url, { query }).then(codeOf)));
    const sized = await post(url, {
      query:
        'query($n: Int) { events(first: $n) { edges { node { similarEvents(first: $n) { similarEvents(first: $n) { id } } } } } }',
      variables: { n: 100 },
    });
    const padded = Array.from(
      { length: 150 },
      (_, i) => `# ${String(i).padEnd(900_000, 'x')}\n{ trendingEvents { id } }`,
    );
    const documents = await Promise.all(
      padded.map((query) =>
        post(url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } }).then(
          codeOf,
        ),
      ),
    );
    let labels = 0;
    await inPool(
      Array.from({ length: 300 }, (_, i) => `Op${i}_${'n'.repeat(20_000)}`),
      8,
      async (name) => {
        const answer = await post(url, {
          query: `query ${name} { trendingEvents(first: 1) { id } }`,
          operationName: name,
        });
        if (answer.status === 200) labels++;
      },
    );
    const metrics = (await (await fetch(`${services.base('gateway')}/metrics`)).text()).length;
    const peak = services.peakRssMb('gateway');
    observe('hostile suite + Step 9 attacks, gateway process', {
      hostileRequests: cases.length,
      problems: problems.length,
      bombs: refused,
      sizedByVariable: codeOf(sized),
      paddedDocuments: [...new Set(documents)],
      longOperationNames: labels,
      metricsBytes: metrics,
      idleRssMb: Math.round(idle),
      peakRssMb: Math.round(peak),
    });

    expect(problems).toEqual([]);
    expect(refused).toEqual(['QUERY_TOO_COMPLEX', 'QUERY_TOO_COMPLEX', 'QUERY_TOO_COMPLEX']);
    expect(codeOf(sized)).toBe('QUERY_TOO_COMPLEX');
    expect(new Set(documents)).toEqual(new Set(['QUERY_TOO_COMPLEX']));
    expect(labels).toBe(300);
    expect(metrics).toBeLessThan(200_000);
    expect((await fetch(`${services.base('gateway')}/health`)).status).toBe(200);
    expect(services.unexpectedExits()).toEqual([]);
  }, 240_000);
});
