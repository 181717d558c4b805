import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../fixtures.js';
import { ORGANIZER } from '../harness.js';
import { gatewayClient, post, sample, sleep, Tally, type Answer } from './client.js';
import { startServices, type Services } from './services.js';

/**
 * The users subgraph SIGKILLed under load through the gateway, then started again on its port.
 * The catalogue keeps answering (HTTP 200, the other subgraphs' data, SERVICE_UNAVAILABLE for
 * the users part), the gateway's breaker for users opens and closes again, and full answers
 * come back within 5 s of users being back.
 */
let services: Services;
let eventId: string;
let organizerId: string;
let token: string; // the organizer browses signed in: their own email is theirs to see

beforeAll(async () => {
  services = await startServices();
  const client = gatewayClient(services.gatewayUrl);
  const organizer = await client.signIn(ORGANIZER.email, ORGANIZER.password);
  organizerId = organizer.userId;
  token = organizer.token;
  for (const title of ['Kill Switch', 'Second Night'])
    eventId = (await createEvent(client.asStack, organizer.token, { title })).eventId;
}, 120_000);

afterAll(async () => {
  await services?.stop();
});

// events + tickets data, and users data in two places where null is allowed: nested under an
// event (organizer.email, the caller's own) and at the root (user). Where the contract says
// non-null (say organizer.name: String!), GraphQL nulls the parent instead (here the whole
// events list), so those are not asked.
const CATALOGUE = `query Catalogue($id: ID!, $organizer: ID!) {
  events(first: 10) { totalCount edges { node { id title venue { city } ticketTiers { name } } } }
  event(id: $id) { title organizer { id email } }
  user(id: $organizer) { name }
}`;
type Catalogue = {
  events: {
    totalCount: number;
    edges: { node: { title: string; venue: { city: string }; ticketTiers: { name: string }[] } }[];
  };
  event: { title: string; organizer: { id: string; email: string | null } } | null;
  user: { name: string } | null;
};

/** 'complete', 'partial' (users' part missing, the rest there) or what was wrong with it. */
function judge(answer: Answer<Catalogue>): string {
  if (answer.status !== 200) return `HTTP ${answer.status} ${answer.raw ?? JSON.stringify(answer.errors)}`;
  const data = answer.data;
  const others =
    data?.events.totalCount === 2 &&
    data.events.edges.every(
      (e) => e.node.title && e.node.venue.city === 'Berlin' && e.node.ticketTiers.length === 1,
    ) &&
    data.event?.title === 'Second Night' &&
    data.event.organizer.id === organizerId;
  if (!others) return `other subgraphs' data missing: ${JSON.stringify(answer)}`;
  const usersRight =
    (data.user === null || data.user.name === 'Olga Organizer') &&
    [null, ORGANIZER.email].includes(data.event!.organizer.email);
  if (!usersRight) return `wrong users data: ${JSON.stringify(data)}`;
  if (!answer.errors)
    return data.user && data.event!.organizer.email ? 'complete' : `gap, no error: ${JSON.stringify(data)}`;
  const codes = new Set(answer.errors.map((e) => e.extensions?.code));
  if (codes.size !== 1 || !codes.has('SERVICE_UNAVAILABLE'))
    return `unexpected errors: ${JSON.stringify(answer.errors)}`;
  // Each users fetch that failed is null; the other may have been answered (a half-open probe,
  // or the gateway's 100 ms memory of an identical read), and is then right.
  return data.user === null || data.event!.organizer.email === null
    ? 'partial'
    : `errors, no gap: ${JSON.stringify(answer)}`;
}

const breakerState = async () =>
  sample(
    await fetch(`${services.base('gateway')}/metrics`).then((r) => r.text()),
    'gateway_subgraph_breaker_state{subgraph="users",service="gateway"}',
  );

/** Polls `check` until it holds or `timeoutMs` passed; whether it held. */
async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await sleep(20);
  }
}

describe('a subgraph killed under load', () => {
  it('costs only its own fields, opens its breaker, and recovers within 5 s of coming back', async () => {
    const tally = new Tally();
    const judged: Record<string, number> = {};
    const problems: string[] = [];
    let stop = false;
    let usersBackAt = 0; // when the restarted users service answered /health
    let recoveredAt = 0; // the first complete answer after that
    // Bounded, paced load: 6 clients, a request each every ~50 ms, at most 2,000 requests.
    const worker = async () => {
      while (!stop && tally.sent < 2_000) {
        const variables = { id: eventId, organizer: organizerId };
        const answer = await post<Catalogue>(services.gatewayUrl, CATALOGUE, variables, token);
        tally.add(answer);
        const verdict = judge(answer);
        const kind = verdict === 'complete' || verdict === 'partial' ? verdict : 'wrong';
        judged[kind] = (judged[kind] ?? 0) + 1;
        if (kind === 'wrong') problems.push(verdict);
        if (kind === 'complete' && usersBackAt && !recoveredAt) recoveredAt = Date.now();
        await sleep(50);
      }
    };
    // The gateway must stay alive throughout: /health polled alongside the load.
    const healthCodes = new Set<number>();
    const health = async () => {
      while (!stop) {
        healthCodes.add(
          await fetch(`${services.base('gateway')}/health`).then(
            (r) => r.status,
            () => 0,
          ),
        );
        await sleep(100);
      }
    };
    const load = [health(), ...Array.from({ length: 6 }, worker)];

    let figures: Record<string, unknown> | undefined;
    try {
      await sleep(1_000);
      expect(await breakerState()).toBe(0);
      await services.kill('users');
      const killedAt = Date.now();
      // The breaker opens after a few failed calls (opossum: >= 5 calls, >= 50 % failing).
      expect(await waitUntil(async () => (await breakerState()) === 2, 10_000)).toBe(true);
      const openedMs = Date.now() - killedAt;
      await sleep(1_500); // the outage, under load, with the breaker open

      const restartAt = Date.now();
      await services.restart('users'); // resolves once its /health answers
      usersBackAt = Date.now();
      // The requirement itself: full answers again within 5 s (waited for generously).
      await waitUntil(() => recoveredAt > 0, 15_000);
      const closed = await waitUntil(async () => (await breakerState()) === 0, 15_000);
      await sleep(1_000); // a little more load on the recovered supergraph
      const recoveryMs = recoveredAt ? recoveredAt - usersBackAt : undefined;
      figures = {
        breaker: { openedAfterKillMs: openedMs, closedAgain: closed },
        restart: {
          bootToHealthyMs: usersBackAt - restartAt,
          healthyToFirstCompleteAnswerMs: recoveryMs,
          restartToFirstCompleteAnswerMs: recoveredAt ? recoveredAt - restartAt : undefined,
        },
      };
      expect(closed).toBe(true);
      expect(recoveryMs).toBeLessThan(5_000);
    } finally {
      stop = true;
      await Promise.all(load);
      console.log(
        JSON.stringify({
          suite: 'subgraph-killed',
          subgraph: 'users',
          requests: { sent: tally.sent, byStatus: tally.byStatus, byCode: tally.byCode, judged },
          ...figures,
          gatewayHealthStatuses: [...healthCodes],
        }),
      );
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(tally.byStatus).toEqual({ 200: tally.sent });
    expect(judged.partial).toBeGreaterThan(0);
    expect([...healthCodes]).toEqual([200]);
    expect(services.unexpectedExits()).toEqual([]);
  });
});
