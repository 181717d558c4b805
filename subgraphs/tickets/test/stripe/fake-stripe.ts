import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { parseForm } from './form.js';

/**
 * A local server speaking the subset of Stripe's v1 REST API the adapter uses, with the
 * shapes of the pinned API version (the SDK's types): PaymentIntents create / retrieve /
 * confirm / cancel / search and Refunds create. Idempotency-Key as Stripe does it: the same
 * key with the same parameters replays the first response, with others it is a 400.
 * Test PaymentMethods as Stripe documents them: pm_card_visa succeeds, pm_card_chargeDeclined
 * (and ...InsufficientFunds) declines with a 402 card_error, pm_card_authenticationRequired and
 * pm_card_threeDSecure2Required ask for 3-D Secure.
 */
export interface FakeStripe {
  url: string;
  secretKey: string;
  intents: Map<string, Stripe.PaymentIntent>;
  refunds: Stripe.Refund[];
  /** Every request: method, path, Stripe-Version and Idempotency-Key headers. */
  requests: { method: string; path: string; version?: string; idempotencyKey?: string; replayed: boolean }[];
  /** Charges that moved money (one per succeeded confirm). */
  charges: number;
  /** The buyer passes 3-D Secure: with manual confirmation the intent awaits our confirm. */
  authenticate(intentId: string): void;
  close(): Promise<void>;
}

type Intent = Stripe.PaymentIntent;
type Answer = { status: number; body: unknown };

const DECLINES: Record<string, string> = {
  pm_card_chargeDeclined: 'generic_decline',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
};
const NEEDS_AUTH = new Set(['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required']);
const KNOWN = new Set(['pm_card_visa', ...Object.keys(DECLINES), ...NEEDS_AUTH]);

export async function startFakeStripe(secretKey = 'sk_test_fake_0123456789abcdef'): Promise<FakeStripe> {
  const intents = new Map<string, Intent>();
  const refunds: Stripe.Refund[] = [];
  const requests: FakeStripe['requests'] = [];
  const idempotent = new Map<string, { fingerprint: string; answer: Answer }>();
  const state = { charges: 0 };
  const authenticated = new Set<string>();

  const route = (
    method: string,
    path: string,
    params: Record<string, unknown>,
    query: URLSearchParams,
  ): Answer => {
    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === '/v1/payment_intents') return create(params);
    if (method === 'GET' && path === '/v1/payment_intents/search') return search(query.get('query') ?? '');
    if ((m = path.match(/^\/v1\/payment_intents\/([^/]+)(\/confirm|\/cancel)?$/))) {
      const intent = intents.get(m[1]!);
      if (!intent) return missing('payment_intent', m[1]!);
      if (method === 'GET' && !m[2]) return ok(intent);
      if (method === 'POST' && m[2] === '/confirm') return confirm(intent);
      if (method === 'POST' && m[2] === '/cancel') return cancel(intent);
    }
    if (method === 'POST' && path === '/v1/refunds') return refund(params);
    return invalid(`Unrecognized request URL (${method}: ${path}).`, undefined, 404);
  };

  function create(p: Record<string, unknown>): Answer {
    const amount = Number(p.amount);
    if (!Number.isInteger(amount) || amount < 1)
      return invalid('Invalid integer', 'parameter_invalid_integer');
    if (typeof p.currency !== 'string' || p.currency !== p.currency.toLowerCase())
      return invalid('Invalid currency', 'parameter_invalid_string');
    const pm = p.payment_method as string | undefined;
    if (pm && !KNOWN.has(pm)) return missing('payment_method', pm);
    const id = `pi_${randomBytes(12).toString('hex')}`;
    const intent = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: (p.capture_method as string) ?? 'automatic_async',
      client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
      confirmation_method: (p.confirmation_method as string) ?? 'automatic',
      created: Math.floor(Date.now() / 1000),
      currency: p.currency,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: (p.metadata as Record<string, string>) ?? {},
      next_action: null,
      payment_method: pm ?? null,
      payment_method_types: (p.allowed_payment_method_types as string[]) ?? ['card'],
      status: pm ? 'requires_confirmation' : 'requires_payment_method',
    } as unknown as Intent;
    intents.set(id, intent);
    return p.confirm === 'true' ? confirm(intent) : ok(intent);
  }

  function confirm(intent: Intent): Answer {
    if (!['requires_confirmation', 'requires_payment_method'].includes(intent.status))
      return unexpectedState(intent, 'confirm');
    const pm = intent.payment_method as string | null;
    if (!pm)
      return invalid(
        "You cannot confirm this PaymentIntent because it's missing a payment method.",
        'payment_intent_unexpected_state',
      );
    const decline = DECLINES[pm];
    if (decline) {
      const error = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: decline,
        message: 'Your card was declined.',
        doc_url: 'https://stripe.com/docs/error-codes/card-declined',
        payment_method: { id: pm, object: 'payment_method', type: 'card' },
      };
      Object.assign(intent, {
        status: 'requires_payment_method',
        last_payment_error: error,
        payment_method: null,
      });
      return { status: 402, body: { error: { ...error, payment_intent: intent } } };
    }
    // Authentication is asked once; after it (authenticate()), a confirm goes through.
    if (NEEDS_AUTH.has(pm) && !authenticated.has(intent.id)) {
      Object.assign(intent, {
        status: 'requires_action',
        next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } },
      });
      return ok(intent);
    }
    state.charges += 1;
    Object.assign(intent, {
      status: 'succeeded',
      amount_received: intent.amount,
      latest_charge: `ch_${randomBytes(12).toString('hex')}`,
      next_action: null,
    });
    return ok(intent);
  }

  function cancel(intent: Intent): Answer {
    if (['succeeded', 'canceled', 'processing'].includes(intent.status))
      return unexpectedState(intent, 'cancel');
    Object.assign(intent, {
      status: 'canceled',
      canceled_at: Math.floor(Date.now() / 1000),
      cancellation_reason: 'requested_by_customer',
      next_action: null,
    });
    return ok(intent);
  }

  function search(query: string): Answer {
    // The one query shape the adapter sends: metadata['orderId']:'<value>'.
    const m = query.match(/^metadata\['([^']+)'\]:'((?:[^'\\]|\\.)*)'$/);
    if (!m) return invalid('Invalid search query', 'parameter_invalid_string');
    const value = m[2]!.replace(/\\(.)/g, '$1');
    const data = [...intents.values()].filter((i) => i.metadata[m[1]!] === value);
    return ok({
      object: 'search_result',
      data,
      has_more: false,
      next_page: null,
      url: '/v1/payment_intents/search',
    });
  }

  function refund(p: Record<string, unknown>): Answer {
    const intent = intents.get(String(p.payment_intent));
    if (!intent) return missing('payment_intent', String(p.payment_intent));
    if (intent.status !== 'succeeded')
      return invalid(
        `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
        'charge_not_refundable',
      );
    const refunded = refunds
      .filter((r) => r.payment_intent === intent.id)
      .reduce((sum, r) => sum + r.amount, 0);
    const left = intent.amount_received - refunded;
    if (left === 0)
      return invalid(
        `Charge ${String(intent.latest_charge)} has already been refunded.`,
        'charge_already_refunded',
      );
    const amount = p.amount === undefined ? left : Number(p.amount);
    if (!Number.isInteger(amount) || amount < 1)
      return invalid('Invalid integer', 'parameter_invalid_integer');
    if (amount > left)
      return invalid(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        'amount_too_large',
      );
    const row = {
      id: `re_${randomBytes(12).toString('hex')}`,
      object: 'refund',
      amount,
      charge: intent.latest_charge,
      created: Math.floor(Date.now() / 1000),
      currency: intent.currency,
      metadata: (p.metadata as Record<string, string>) ?? {},
      payment_intent: intent.id,
      reason: null,
      status: 'succeeded',
    } as unknown as Stripe.Refund;
    refunds.push(row);
    return ok(row);
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const version = header(req, 'stripe-version');
    const key = header(req, 'idempotency-key');
    const send = (answer: Answer, replayed: boolean) => {
      requests.push({ method, path: url.pathname, version, idempotencyKey: key, replayed });
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'request-id': `req_${randomBytes(8).toString('hex')}`,
        ...(version ? { 'stripe-version': version } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
      res.end(JSON.stringify(answer.body));
    };
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      return send(
        {
          status: 401,
          body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } },
        },
        false,
      );
    }
    const params = parseForm(body);
    if (method === 'POST' && key) {
      const fingerprint = `${url.pathname}?${JSON.stringify(params)}`;
      const earlier = idempotent.get(key);
      if (earlier && earlier.fingerprint !== fingerprint)
        return send(
          {
            status: 400,
            body: {
              error: {
                type: 'idempotency_error',
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with.`,
              },
            },
          },
          false,
        );
      if (earlier) return send(earlier.answer, true);
      const answer = route(method, url.pathname, params, url.searchParams);
      // Stripe does not save 5xx (or requests that never ran); everything else replays.
      if (answer.status < 500)
        idempotent.set(key, { fingerprint, answer: { ...answer, body: clone(answer.body) } });
      return send(answer, false);
    }
    send(route(method, url.pathname, params, url.searchParams), false);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    intents,
    refunds,
    requests,
    get charges() {
      return state.charges;
    },
    authenticate(intentId) {
      const intent = intents.get(intentId);
      if (intent?.status !== 'requires_action') throw new Error(`${intentId} does not await the buyer`);
      authenticated.add(intentId);
      Object.assign(intent, { status: 'requires_confirmation', next_action: null });
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

const ok = (body: unknown): Answer => ({ status: 200, body: clone(body) });
const clone = (body: unknown) => JSON.parse(JSON.stringify(body)) as unknown;
const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
const invalid = (message: string, code?: string, status = 400): Answer => ({
  status,
  body: { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}) } },
});
const missing = (what: string, id: string): Answer => ({
  status: 404,
  body: {
    error: {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such ${what}: '${id}'`,
      param: what,
    },
  },
});
const unexpectedState = (intent: Intent, action: string): Answer => ({
  status: 400,
  body: {
    error: {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message: `You cannot ${action} this PaymentIntent because it has a status of ${intent.status}.`,
      payment_intent: clone(intent),
    },
  },
});
