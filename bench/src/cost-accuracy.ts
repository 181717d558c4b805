import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@marquee/db/testing';
import { DEFAULT_SUPERGRAPH_PATH, SupergraphPlanning } from '@marquee/gateway';
import { ApiClient, seedDemo } from '@marquee/stack';
import { DEMO_ACCOUNTS } from '@marquee/users';
import { benchStack, waitUntilServing } from './bench-env.js';
import { countObjects, ESTIMATOR_SETTINGS, staticEstimators } from './cost-estimators.js';
import {
  attackOperations,
  registeredOperations,
  type Caller,
  type CostCatalogue,
  type CostOperation,
} from './cost-operations.js';
import { summarise, type Row } from './cost-report.js';

/**
 * `npm run bench:cost`: how well each cost estimator predicts the work an operation really
 * does on our schema. The whole supergraph in-process with the demo catalogue; every
 * registered query (with several variable sets) and nested attack-like queries, each run
 * through the Marquee gateway (actual work: objects in `data`, and bytes) and through a Hive
 * Gateway with demand control (its estimate), and priced statically by our CostModel,
 * graphql-armor's cost rule and graphql-query-complexity. JSON on stdout; exits 1 when an
 * operation failed or a registered query was skipped. About 20 s in all, so BENCH_SMOKE
 * changes nothing: the smoke run is the full run.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const started = Date.now();

const { stack, databaseUrl, stop } = await benchStack();
let hive: ChildProcess | undefined;
let hiveDir: string | undefined;
try {
  await seedDemo({ gatewayUrl: stack.gatewayUrl, databaseUrl, nodeEnv: 'development' });
  await stack.settle();
  const api = new ApiClient(stack.gatewayUrl);
  const tokens = await signInAll(api);
  const catalogue = await readCatalogue(api, tokens);

  const { operations: registered, skipped } = registeredOperations(
    join(repoRoot, 'operations/persisted-query-manifest.json'),
    catalogue,
  );
  const operations = [...registered, ...attackOperations()];

  const hiveUrl = await startHive(stack.urls, stack.internalSecret);
  const estimate = staticEstimators(new SupergraphPlanning(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8')));

  const rows: Row[] = [];
  for (const operation of operations) {
    const headers: Record<string, string> = operation.as
      ? { authorization: `Bearer ${tokens[operation.as]}` }
      : {};
    const marquee = await send(stack.gatewayUrl, operation, headers);
    const viaHive = await send(hiveUrl, operation, headers);
    const hiveCost = (viaHive.body.extensions?.cost as { estimated?: number } | undefined)?.estimated;
    const [marqueeErrors, hiveErrors] = [messages(marquee.body.errors), messages(viaHive.body.errors)];
    // Refused by one of our own limits (the depth limit counts a fragment spread as two levels):
    // the work is still measured, on Hive's answer, which matches ours wherever both answer.
    const measured = marqueeErrors && !hiveErrors ? viaHive : marquee;
    const actualObjects = countObjects(measured.body.data);
    const hiveObjects = countObjects(viaHive.body.data);
    rows.push({
      name: operation.name,
      group: operation.group,
      variables: operation.variables,
      ...(operation.as ? { as: operation.as } : {}),
      ...(operation.attack ? { attack: operation.attack } : {}),
      actualObjects,
      bytes: measured.bytes,
      ms: measured.ms,
      estimates: {
        ...estimate(operation.query, operation.variables),
        hiveDemandControl: typeof hiveCost === 'number' ? hiveCost : null,
      },
      ...(measured === viaHive ? { actualFrom: 'hive' as const, marqueeRefused: marqueeErrors } : {}),
      ...(hiveObjects !== actualObjects ? { hiveObjects } : {}),
      ...(marqueeErrors && hiveErrors ? { errors: marqueeErrors } : {}),
      ...(hiveErrors ? { hiveErrors } : {}),
    });
  }

  const failed = rows.filter((r) => r.errors).map((r) => `${r.name}: ${r.errors}`);
  console.log(
    JSON.stringify(
      {
        benchmark: 'cost-accuracy',
        machine: { cpus: cpus().length, node: process.version },
        actual:
          'non-null JSON objects in the data of the Marquee gateway answer (list items included, the data root not)',
        estimatorSettings: ESTIMATOR_SETTINGS,
        operations: rows.length,
        failed,
        refusedByMarquee: rows.filter((r) => r.marqueeRefused).map((r) => `${r.name}: ${r.marqueeRefused}`),
        hiveDisagreements: rows.filter((r) => r.hiveObjects !== undefined || r.hiveErrors).length,
        skippedRegistered: skipped,
        fieldExtensionsSameAsSimple: rows.every(
          (r) => r.estimates.queryComplexityFieldExtensions === r.estimates.queryComplexitySimple,
        ),
        ...summarise(rows),
        rows,
        seconds: Math.round((Date.now() - started) / 1000),
      },
      null,
      2,
    ),
  );
  // An operation neither gateway could run, or a registered query the benchmark cannot fill in:
  // the comparison no longer covers what it says it covers.
  if (failed.length > 0 || skipped.length > 0) {
    console.error(
      `bench:cost: failed ${JSON.stringify(failed)}, skipped registered ${JSON.stringify(skipped)}`,
    );
    process.exitCode = 1;
  }
} finally {
  hive?.kill('SIGTERM');
  if (hiveDir) rmSync(hiveDir, { recursive: true, force: true });
  await stop();
}
process.exit();

interface Answer {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: Record<string, unknown>;
}

async function send(url: string, operation: CostOperation, headers: Record<string, string>) {
  const start = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: operation.query, variables: operation.variables }),
  });
  const text = await response.text();
  const ms = Math.round(performance.now() - start);
  let body: Answer;
  try {
    body = JSON.parse(text) as Answer;
  } catch {
    body = { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] };
  }
  return { body, bytes: Buffer.byteLength(text), ms };
}

function messages(errors: Answer['errors']): string | undefined {
  if (!errors?.length) return undefined;
  return errors
    .slice(0, 3)
    .map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`)
    .join('; ');
}

async function signInAll(api: ApiClient): Promise<Record<Caller, string>> {
  const token = async (email: string) =>
    (await api.signIn(email, DEMO_ACCOUNTS.find((a) => a.email === email)!.password)).token;
  return {
    attendee: await token('attendee@marquee.test'),
    organizer: await token('organizer@marquee.test'),
    admin: await token('admin@marquee.test'),
  };
}

/** Real ids from the seeded data; two partner keys so that ApiKeys lists something. */
async function readCatalogue(api: ApiClient, tokens: Record<Caller, string>): Promise<CostCatalogue> {
  const page = await api.request<{
    events: {
      edges: { node: { id: string; title: string; categories: string[]; venue: { city: string } } }[];
    };
  }>(`{ events(first: 100) { edges { node { id title categories venue { city } } } } }`);
  const nodes = page.events.edges.map((e) => e.node);
  const me = await api
    .as(tokens.attendee)
    .request<{ me: { orders: { edges: { node: { id: string } }[] } } }>(
      `{ me { orders(first: 1) { edges { node { id } } } } }`,
    );
  for (const name of ['cost-bench-a', 'cost-bench-b'])
    await api
      .as(tokens.admin)
      .request(`mutation ($name: String!) { createApiKey(name: $name) { key } }`, { name });
  return {
    eventIds: nodes.map((n) => n.id),
    categories: [...new Set(nodes.flatMap((n) => n.categories))],
    cities: [...new Set(nodes.map((n) => n.venue.city))],
    searchText: nodes[0]!.title.split(/\s+/).find((w) => w.length >= 4) ?? nodes[0]!.title,
    orderId: me.me.orders.edges[0]!.node.id,
  };
}

/** A Hive Gateway on the same supergraph (routed to this run's subgraphs) with demand control on. */
async function startHive(urls: Record<string, string>, internalSecret: string): Promise<string> {
  const dir = (hiveDir = mkdtempSync(join(tmpdir(), 'marquee-bench-cost-')));
  const supergraphPath = join(dir, 'supergraph.graphql');
  let sdl = readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8');
  for (const [name, url] of Object.entries(urls))
    sdl = sdl.replace(new RegExp(`(join__graph\\(name: "${name}", url: ")[^"]+`), `$1${url}`);
  writeFileSync(supergraphPath, sdl);
  const config = join(dir, 'gateway.config.mjs');
  writeFileSync(
    config,
    `export const gatewayConfig = {
  logging: 'error',
  demandControl: { includeExtensionMetadata: true },
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      'x-marquee-internal': ${JSON.stringify(internalSecret)},
      authorization: request.headers.get('authorization') ?? undefined,
    }),
  },
};\n`,
  );
  const port = await freePort();
  hive = spawn(
    process.execPath,
    [
      `${repoRoot}node_modules/@graphql-hive/gateway/dist/bin.js`,
      'supergraph',
      supergraphPath,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '-c',
      config,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitUntilServing('Hive', url);
  return url;
}
