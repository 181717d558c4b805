import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { composeSupergraph, DEFAULT_SUPERGRAPH_PATH, readSupergraphConfig } from '@marquee/gateway';
import { errorCodes, graphql } from '@marquee/subgraph-kit/testing';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buy, createEvent } from './fixtures.js';
import { ATTENDEE, ORGANIZER, startTestStack, type TestStack } from './harness.js';

const configPath = fileURLToPath(new URL('../supergraph.yaml', import.meta.url));
const manifestPath = fileURLToPath(new URL('../operations/persisted-query-manifest.json', import.meta.url));
const manifestBody = (name: string) =>
  (
    JSON.parse(readFileSync(manifestPath, 'utf8')) as { operations: { name: string; body: string }[] }
  ).operations.find((o) => o.name === name)!.body;

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
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', error: {} });
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
      expect(await metrics.text()).toMatch(/process_cpu_user_seconds_total/);
    }
  });

  it('exports request, subgraph, pool, subscription and business metrics', async () => {
    // Labelled by name only when registered (sent by id or as its exact text); anything else is `other`.
    const registered = manifestBody('TrendingEvents');
    expect((await stack.call(registered, { first: 1 })).errors).toBeUndefined();
    const res = await stack.call(`query MetricsProbe { events(first: 1) { totalCount } }`);
    expect(res.errors).toBeUndefined();
    const scrape = async (url: string) => (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
    const series = (name: string, labels = '') => new RegExp(`^${name}\\{[^}]*${labels}[^}]*\\} \\d`, 'm');

    const gateway = await scrape(stack.gatewayUrl);
    expect(gateway).toMatch(series('graphql_requests_total', 'operation="TrendingEvents"'));
    expect(gateway).toMatch(series('graphql_request_duration_seconds_count', 'operation="TrendingEvents"'));
    expect(gateway).toMatch(series('graphql_requests_total', 'operation="other"'));
    expect(gateway).not.toContain('MetricsProbe');
    expect(gateway).toMatch(series('gateway_subgraph_request_duration_seconds_count', 'subgraph="events"'));
    expect(gateway).toMatch(/^# TYPE gateway_subgraph_request_errors_total counter$/m);
    for (const name of ['gateway_subscriptions_active', 'gateway_websocket_connections'])
      expect(gateway).toMatch(series(name));

    const recommendations = await scrape(stack.urls.recommendations);
    expect(recommendations).toMatch(
      series('graphql_requests_total', 'operation="TrendingEvents__recommendations__0"'),
    );
    const events = await scrape(stack.urls.events);
    expect(events).toMatch(series('graphql_requests_total', 'operation="other"'));
    expect(events).not.toContain('MetricsProbe');
    for (const url of Object.values(stack.urls)) {
      const text = await scrape(url);
      for (const name of [
        'db_pool_max_connections',
        'db_pool_connections_in_use',
        'db_pool_connections_idle',
        'db_pool_requests_waiting',
      ])
        expect(text).toMatch(series(name));
    }

    const tickets = await scrape(stack.urls.tickets);
    for (const name of ['tickets_live_subscriptions', 'tickets_sold_total', 'tickets_holds_expired_total'])
      expect(tickets).toMatch(series(name));
    expect(tickets).toMatch(/^# TYPE tickets_checkouts_failed_total counter$/m);
  });

  it('counts tickets sold and checkouts failed by reason', async () => {
    const organizer = await stack.signIn(ORGANIZER.email, ORGANIZER.password);
    const attendee = await stack.signIn(ATTENDEE.email, ATTENDEE.password);
    const { eventId, tierIds } = await createEvent(stack, organizer.token);
    const value = async (name: string) => {
      const text = await (await fetch(stack.urls.tickets.replace(/\/graphql$/, '/metrics'))).text();
      return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    };
    const declinedBefore = await value(
      'tickets_checkouts_failed_total\\{[^}]*reason="PAYMENT_DECLINED"[^}]*\\}',
    );
    const soldBefore = await value('tickets_sold_total\\{[^}]*\\}');
    await buy(stack, attendee.token, eventId, tierIds[0]!, 2);
    const held = await stack.call<{ reserveTickets: { id: string } }>(
      `mutation($e: ID!, $t: ID!) { reserveTickets(eventId: $e, items: [{ tierId: $t, quantity: 1 }], idempotencyKey: "m-hold") { id } }`,
      { e: eventId, t: tierIds[0] },
      attendee.token,
    );
    const declined = await stack.call(
      `mutation($r: ID!) { checkout(reservationId: $r, paymentToken: "tok_declined", idempotencyKey: "m-pay") { id } }`,
      { r: held.data!.reserveTickets.id },
      attendee.token,
    );
    expect(errorCodes(declined)).toEqual(['CONFLICT']);
    expect(await value('tickets_sold_total\\{[^}]*\\}')).toBe(soldBefore + 2);
    expect(await value('tickets_checkouts_failed_total\\{[^}]*reason="PAYMENT_DECLINED"[^}]*\\}')).toBe(
      declinedBefore + 1,
    );
  });
});
