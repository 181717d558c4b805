import { existsSync } from 'node:fs';
import { parseEnv } from '@marquee/env';
import { gatewayEnvSchema, startGateway } from '@marquee/gateway';
import { bundlePlayground } from '@marquee/gateway/playground/build';
import { createLogger, type RunningService } from '@marquee/subgraph-kit';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from './fixtures.js';
import { ATTENDEE, ORGANIZER, startTestStack, type TestStack } from './harness.js';

/** Debian's chromium, headless and offline-minded; browsers are never downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Without a browser on the machine this suite says so and is skipped, unless the browser is
 * required (CI installs Debian's chromium and sets MARQUEE_REQUIRE_BROWSER=1, so it always runs
 * there and a missing browser fails).
 */
const browserMissing = !existsSync(CHROMIUM) && process.env.MARQUEE_REQUIRE_BROWSER !== '1';
if (browserMissing)
  console.warn(`playground browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);
const launch = () =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });

let stack: TestStack;
let browser: Browser;
let production: RunningService | undefined;

beforeAll(async () => {
  if (browserMissing) return;
  // The page is served from the gateway's dist/; bundle the current source first.
  await bundlePlayground();
  stack = await startTestStack();
  const organizer = await stack.signIn(ORGANIZER.email, ORGANIZER.password);
  await createEvent(stack, organizer.token, { title: 'Playground Night' });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await production?.close();
  await stack?.stop();
});

/** What a browser sends when navigating. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const VARIABLES = '.graphiql-editor-tool > .graphiql-editor:nth-child(1)';
const HEADERS = '.graphiql-editor-tool > .graphiql-editor:nth-child(2)';
/** The text of a CodeMirror editor (GraphiQL 4 keeps the instance on its element). */
const editorValue = async (page: Page, selector: string) =>
  page
    .locator(`${selector} .CodeMirror`)
    .first()
    .evaluate((element) =>
      (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
    );

/**
 * Replaces the query by typing it (the editor closes brackets itself and types over them), then
 * waits for the tab to take the operation's name: GraphiQL reads the operation name from the
 * editor a moment after each change, and runs with that name.
 */
async function typeQuery(page: Page, query: string, name: string) {
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(query);
  await page.locator('.graphiql-tab-active', { hasText: name }).waitFor();
}

/** Opens a saved operation from the sidebar; its tab takes the operation's name once loaded. */
async function openSaved(page: Page, name: string) {
  await page.locator(`[data-operation="${name}"]`).click();
  await page.locator('.graphiql-tab-active', { hasText: name }).waitFor();
  expect(await editorValue(page, '.graphiql-query-editor')).toContain(`query ${name}`);
}

/** Runs the active tab and returns the parsed response once it shows `expected`. */
async function run(page: Page, expected: string) {
  await page.locator('.graphiql-execute-button').click();
  await page.locator('.graphiql-response', { hasText: expected }).waitFor();
  return JSON.parse(await editorValue(page, '.graphiql-response')) as {
    data?: Record<string, unknown>;
    errors?: unknown[];
  };
}

async function openPlayground() {
  const page = await browser.newPage();
  const requested: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('websocket', (socket) => requested.push(socket.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const response = await page.goto(stack.gatewayUrl);
  await page.locator('.graphiql-container').waitFor();
  return { page, response: response!, requested, problems };
}

describe.skipIf(browserMissing)('the playground', () => {
  it('is GraphiQL from the gateway itself: runs a typed query, with headers for tokens', async () => {
    const { page, response, requested, problems } = await openPlayground();
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^text\/html/);
    const csp = response.headers()['content-security-policy']!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");

    // The headers editor starts with the placeholder, which is not sent while it is one.
    expect(JSON.parse(await editorValue(page, HEADERS))).toEqual({ Authorization: 'Bearer <token>' });

    await typeQuery(page, 'query Count { events(first: 1) { totalCount } }', 'Count');
    const result = await run(page, 'totalCount');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ events: { totalCount: 1 } });

    // With a real token in the headers editor, the caller is that user.
    const { token } = await stack.signIn(ATTENDEE.email, ATTENDEE.password);
    await page
      .locator(`${HEADERS} .CodeMirror`)
      .evaluate(
        (element, value) =>
          (element as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(value),
        JSON.stringify({ Authorization: `Bearer ${token}` }),
      );
    await typeQuery(page, 'query Who { me { email roles } }', 'Who');
    const me = await run(page, '"me"');
    expect(me.data).toEqual({ me: { email: ATTENDEE.email, roles: ['ATTENDEE'] } });

    const origin = new URL(stack.gatewayUrl).origin;
    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) expect(new URL(url).origin).toBe(origin);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs a subscription over graphql-ws on the same host, and shows each update', async () => {
    const organizer = await stack.signIn(ORGANIZER.email, ORGANIZER.password);
    const { eventId, tierIds } = await createEvent(stack, organizer.token, {
      title: 'Browser Live',
      tiers: [{ name: 'GA', priceCents: 100, capacity: 30 }],
    });
    const { page, requested, problems } = await openPlayground();
    await typeQuery(
      page,
      `subscription Watch { ticketAvailabilityChanged(eventId: "${eventId}") { held available event { title } } }`,
      'Watch',
    );
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response', { hasText: '"available": 30' }).waitFor();
    const buyer = await stack.signUp('browser-live@example.com');
    const held = await stack.call(
      `mutation($e: ID!, $items: [ReservationItemInput!]!) { reserveTickets(eventId: $e, items: $items, idempotencyKey: "browser-1") { id } }`,
      { e: eventId, items: [{ tierId: tierIds[0], quantity: 4 }] },
      buyer.token,
    );
    expect(held.errors).toBeUndefined();
    await stack.settle();
    await page.locator('.graphiql-response', { hasText: '"available": 26' }).waitFor();
    expect(await editorValue(page, '.graphiql-response')).toContain('Browser Live');

    const host = new URL(stack.gatewayUrl).host;
    expect(requested.some((url) => url.startsWith('ws://'))).toBe(true);
    for (const url of requested) expect(new URL(url).host).toBe(host);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('preloads the operations/ documents: one click opens a saved operation, ready to run', async () => {
    const { page, requested, problems } = await openPlayground();
    const groups = await page.locator('.marquee-operations-group').allTextContents();
    expect(groups.map((g) => g.toLowerCase())).toEqual(['frontend', 'partner']);
    await expect(page.locator('[data-operation]').count()).resolves.toBeGreaterThan(30);

    await openSaved(page, 'EventDetails');
    // Required variables come prefilled with placeholders of their type.
    expect(JSON.parse(await editorValue(page, VARIABLES))).toEqual({
      id: '',
    });

    await openSaved(page, 'TrendingEvents');
    const trending = await run(page, 'trendingEvents');
    expect(trending.errors).toBeUndefined();
    expect(Array.isArray(trending.data!.trendingEvents)).toBe(true);
    await expect(page.locator('.graphiql-tab').count()).resolves.toBe(3);

    const origin = new URL(stack.gatewayUrl).origin;
    for (const url of requested) expect(new URL(url).origin).toBe(origin);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('its Content-Security-Policy blocks loads from any other origin', async () => {
    const { page, requested } = await openPlayground();
    const violated = await page.evaluate(async () => {
      const violation = new Promise<string>((resolve) =>
        // The event is fired at the document and bubbles to the window (globalThis in the page).
        (globalThis as unknown as EventTarget).addEventListener(
          'securitypolicyviolation',
          (event) => resolve((event as unknown as { effectiveDirective: string }).effectiveDirective),
          { once: true },
        ),
      );
      // A local address that nothing listens on, in case the policy failed to block it.
      fetch('http://127.0.0.2:9/probe').catch(() => undefined);
      return violation;
    });
    expect(violated).toBe('connect-src');
    expect(requested.some((url) => url.startsWith('http://127.0.0.2'))).toBe(false);
    await page.close();
  });

  it('leaves GraphQL GET requests and non-browser clients to GraphQL', async () => {
    const typename = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: BROWSER_ACCEPT, 'apollo-require-preflight': 'true' },
    });
    expect(await typename.json()).toEqual({ data: { __typename: 'Query' } });
    const curl = await fetch(stack.gatewayUrl, { headers: { accept: '*/*' } });
    expect(curl.headers.get('content-type')).not.toMatch(/text\/html/);
  });

  it('is not served in production', async () => {
    const env = parseEnv(gatewayEnvSchema, {
      NODE_ENV: 'production',
      INTERNAL_SECRET: stack.internalSecret,
      JWKS_URL: stack.urls.users.replace(/\/graphql$/, '/.well-known/jwks.json'),
    });
    production = await startGateway(env, {
      port: 0,
      opsPort: 0,
      subgraphUrls: stack.urls,
      log: createLogger('gateway', 'silent'),
    });
    const page = await browser.newPage();
    const response = await page.goto(production.url);
    expect(response!.headers()['content-type'] ?? '').not.toMatch(/text\/html/);
    expect(await page.locator('#graphiql').count()).toBe(0);
    const base = production.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/playground/playground.js`)).status).toBe(404);
    await page.close();
  });
});
