import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { DEFAULT_SUPERGRAPH_PATH, readSupergraphConfig } from '@marquee/gateway';
import { eventually } from '@marquee/subgraph-kit/testing';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from './fixtures.js';
import { ORGANIZER, startTestStack, type TestStack } from './harness.js';
import { collect, wsClient } from './live.js';

const dir = mkdtempSync(join(tmpdir(), 'marquee-supergraph-'));
const supergraphPath = join(dir, 'supergraph.graphql');
copyFileSync(DEFAULT_SUPERGRAPH_PATH, supergraphPath);

/** The same four subgraphs, with one description changed in the events subgraph's SDL. */
function changedSupergraph(marker: string): string {
  const entries = readSupergraphConfig(fileURLToPath(new URL('../supergraph.yaml', import.meta.url)));
  const composed = composeServices(
    entries.map((entry) => {
      let sdl = readFileSync(entry.schemaFile, 'utf8');
      if (entry.name === 'events') sdl = sdl.replace(/"[^"\n]*"\s*\n(\s*)events\(/, `"${marker}"\n$1events(`);
      return { name: entry.name, url: entry.url, typeDefs: parse(sdl) };
    }),
  );
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  return composed.supergraphSdl;
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ SUPERGRAPH_PATH: supergraphPath, SUPERGRAPH_POLL_MS: '100' });
});
afterAll(() => stack?.stop());

const describeEvents = async () => {
  const res = await stack.call<{ __type: { fields: { name: string; description: string | null }[] } }>(
    `{ __type(name: "Query") { fields { name description } } }`,
  );
  return res.data!.__type.fields.find((f) => f.name === 'events')!.description;
};

describe('supergraph hot reload', () => {
  it('swaps the schema when the file changes, without dropping open connections', async () => {
    const organizer = (await stack.signIn(ORGANIZER.email, ORGANIZER.password)).token;
    const { eventId, tierIds } = await createEvent(stack, organizer, {
      tiers: [{ name: 'GA', priceCents: 1, capacity: 10 }],
    });
    const client = wsClient(stack.gatewayUrl);
    const live = collect<{ ticketAvailabilityChanged: { held: number } }>(
      client,
      `subscription($e: ID!) { ticketAvailabilityChanged(eventId: $e) { held } }`,
      { e: eventId },
    );
    await live.waitFor(1);
    const connectionsBefore = stack.gateway.subscriptions.stats().connections;

    writeFileSync(supergraphPath, changedSupergraph('Reloaded without a restart.'));
    await eventually(async () => expect(await describeEvents()).toBe('Reloaded without a restart.'), 10_000);

    // The subscription that was open across the swap still works, on the same connection.
    const buyer = await stack.signUp('reload@example.com');
    const held = await stack.call(
      `mutation($e: ID!, $items: [ReservationItemInput!]!) { reserveTickets(eventId: $e, items: $items, idempotencyKey: "reload-1") { id } }`,
      { e: eventId, items: [{ tierId: tierIds[0], quantity: 1 }] },
      buyer.token,
    );
    expect(held.errors).toBeUndefined();
    await stack.settle();
    await eventually(async () => expect(live.values.at(-1)!.ticketAvailabilityChanged.held).toBe(1));
    expect(live.errors).toEqual([]);
    expect(live.completed).toBe(false);
    expect(stack.gateway.subscriptions.stats().connections).toBe(connectionsBefore);
    live.stop();
    await client.dispose();
  });

  it('keeps serving the last good supergraph when the file is broken, and reloads on demand', async () => {
    writeFileSync(supergraphPath, 'this is not a supergraph');
    await new Promise((r) => setTimeout(r, 400));
    expect(stack.gateway.reloadSupergraph()).toMatchObject({ changed: false, error: expect.any(String) });
    expect((await stack.call(`{ events { totalCount } }`)).errors).toBeUndefined();

    writeFileSync(supergraphPath, changedSupergraph('Second version.'));
    // What SIGHUP calls; the poller may have got there first.
    stack.gateway.reloadSupergraph();
    await eventually(async () => expect(await describeEvents()).toBe('Second version.'));
  });
});
