import { randomUUID } from 'node:crypto';

export interface ChargeRequest {
  amountCents: number;
  currency: string;
  token: string;
  /** The provider dedupes on it: retrying a charge never charges twice. */
  idempotencyKey: string;
  /** Aborted when we stop waiting (timeout): the provider should drop the charge. */
  signal?: AbortSignal;
  /**
   * Called with the provider's id for this payment as soon as it has one and before any money
   * can move (Stripe: the PaymentIntent, before it is confirmed): the saga stores it on the
   * order, so recovery and webhooks find the payment by id. If it throws, nothing is confirmed.
   */
  onReference?: (reference: string) => Promise<void>;
}

/** What the buyer must do before the payment can go through (3-D Secure in their bank's app). */
export interface PaymentAction {
  /** The provider's id for the payment (Stripe: the PaymentIntent id). */
  reference: string;
  /** What the buyer's client needs to complete the action (Stripe.js: the intent's client secret). */
  clientSecret: string;
  /** The provider's name for the action (Stripe: next_action.type, e.g. use_stripe_sdk). */
  nextAction: string;
}

export type ChargeResult =
  | { ok: true; reference: string }
  | { ok: false; reason: 'DECLINED' }
  /** Nothing was charged yet: the buyer must act first, then the payment is confirmed (or not). */
  | { ok: false; reason: 'ACTION_REQUIRED'; action: PaymentAction };

/**
 * Where a payment stands now, as the provider says (never as an event said: events can be old
 * or out of order). `ready`: the buyer did what was asked, only we can confirm (and so charge).
 */
export type PaymentLookup =
  | { status: 'succeeded'; reference: string }
  | { status: 'action_required'; reference: string; action: PaymentAction }
  | { status: 'ready'; reference: string }
  | { status: 'processing'; reference: string }
  | { status: 'failed'; reference: string }
  | { status: 'canceled'; reference: string };

/** A verified provider event, in the saga's terms; `id` is the provider's event id (the inbox key). */
export type PaymentEvent =
  | { id: string; kind: 'payment'; reference: string; orderId?: string }
  | {
      id: string;
      kind: 'refunded' | 'disputed';
      reference: string;
      orderId?: string;
      /** In the provider's minor units, as the event gives them. */
      amount?: number;
      currency?: string;
      detail?: string;
    }
  | { id: string; kind: 'ignored'; type: string };

/**
 * The payment port. A decline is an answer (resolved), not a failure: only errors and
 * timeouts count against the circuit breaker. The optional methods are for providers whose
 * payments can wait for the buyer (ACTION_REQUIRED): without them a payment is always settled
 * by `charge` itself.
 */
export interface PaymentProvider {
  /** Cheap syntactic check, before anything is persisted. */
  acceptsToken(token: string): boolean;
  /** Idempotent per `idempotencyKey` (the order id): asking again never charges twice. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /**
   * The charge made under this idempotency key, if any: how a resumed checkout learns whether
   * an interrupted or timed-out charge went through.
   */
  findCharge(idempotencyKey: string): Promise<{ reference: string } | null>;
  /** Refunds a charge in full; refunding twice is harmless. */
  refund(reference: string): Promise<void>;
  /** The payment's state now, by its reference (strongly consistent); null: no such payment. */
  lookup?(orderId: string, reference: string): Promise<PaymentLookup | null>;
  /** Confirms a payment the buyer has acted on (`ready`); idempotent per order. */
  confirm?(orderId: string, reference: string): Promise<ChargeResult>;
  /** Cancels an unpaid payment; answers its state after (succeeded if it was paid meanwhile). */
  cancel?(orderId: string, reference: string): Promise<PaymentLookup>;
  /** Verifies and reads a webhook delivery (raw body, signature header); throws if forged or old. */
  parseWebhook?(payload: Buffer, signature: string): PaymentEvent;
}

export interface RecordedCharge {
  reference: string;
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  refunds: number;
}

/** A tok_3ds payment while it waits for the buyer (see TestPaymentProvider.authenticate). */
interface PendingPayment {
  reference: string;
  request: Omit<ChargeRequest, 'signal' | 'onReference'>;
  state: 'action_required' | 'ready' | 'failed' | 'canceled' | 'succeeded';
}

/**
 * The built-in test provider: `tok_ok` succeeds, `tok_declined` declines, `tok_slow` takes
 * `slowMs` (5 s) and then succeeds unless the caller gave up first. `tok_3ds` asks for the
 * buyer (ACTION_REQUIRED) until a test says they authenticated (`authenticate`) or failed
 * (`failAuthentication`); it is then confirmed like a Stripe PaymentIntent. It remembers what
 * it charged and refunded, so tests can check that money moved exactly as intended.
 */
export class TestPaymentProvider implements PaymentProvider {
  static readonly TOKENS = ['tok_ok', 'tok_declined', 'tok_slow', 'tok_3ds'] as const;
  readonly charges = new Map<string, RecordedCharge>();
  private readonly byKey = new Map<string, RecordedCharge>();
  private readonly pending = new Map<string, PendingPayment>();

  constructor(private readonly slowMs = 5_000) {}

  acceptsToken(token: string): boolean {
    return (TestPaymentProvider.TOKENS as readonly string[]).includes(token);
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (request.token === 'tok_declined') return { ok: false, reason: 'DECLINED' };
    if (request.token === 'tok_3ds') return this.withAction(request);
    if (request.token === 'tok_slow') await sleep(this.slowMs, request.signal);
    else if (request.token !== 'tok_ok') throw new Error('unknown payment token');
    return { ok: true, reference: this.record(request).reference };
  }

  async findCharge(idempotencyKey: string): Promise<{ reference: string } | null> {
    const charge = this.byKey.get(idempotencyKey);
    return charge ? { reference: charge.reference } : null;
  }

  /** The charge made for this order, if any (tests check money moved as intended). */
  chargeFor(orderId: string): RecordedCharge | undefined {
    return this.byKey.get(orderId);
  }

  async refund(reference: string): Promise<void> {
    const charge = this.charges.get(reference);
    if (!charge) throw new Error('unknown charge');
    charge.refunds += 1;
  }

  /** Charges that were not refunded. */
  get outstanding(): RecordedCharge[] {
    return [...this.charges.values()].filter((c) => c.refunds === 0);
  }

  /** The buyer of this order's tok_3ds payment passed authentication (nothing is charged yet). */
  authenticate(orderId: string, outcome: 'passed' | 'failed' = 'passed'): void {
    const payment = [...this.pending.values()].find((p) => p.request.idempotencyKey === orderId);
    if (payment?.state !== 'action_required') throw new Error(`no payment of ${orderId} awaits the buyer`);
    payment.state = outcome === 'passed' ? 'ready' : 'failed';
  }

  async lookup(_orderId: string, reference: string): Promise<PaymentLookup | null> {
    if (this.charges.has(reference)) return { status: 'succeeded', reference };
    const payment = this.pending.get(reference);
    if (!payment) return null;
    if (payment.state === 'action_required')
      return { status: 'action_required', reference, action: actionOf(reference) };
    return { status: payment.state, reference };
  }

  async confirm(_orderId: string, reference: string): Promise<ChargeResult> {
    const payment = this.pending.get(reference);
    if (!payment) throw new Error('unknown payment');
    if (payment.state === 'action_required')
      return { ok: false, reason: 'ACTION_REQUIRED', action: actionOf(reference) };
    if (payment.state === 'ready') {
      this.record(payment.request, reference);
      payment.state = 'succeeded';
    }
    return payment.state === 'succeeded' ? { ok: true, reference } : { ok: false, reason: 'DECLINED' };
  }

  async cancel(orderId: string, reference: string): Promise<PaymentLookup> {
    const payment = this.pending.get(reference);
    if (payment && payment.state !== 'succeeded') payment.state = 'canceled';
    return (await this.lookup(orderId, reference)) ?? { status: 'canceled', reference };
  }

  private async withAction(request: ChargeRequest): Promise<ChargeResult> {
    let payment = [...this.pending.values()].find((p) => p.request.idempotencyKey === request.idempotencyKey);
    if (!payment) {
      const { signal: _signal, onReference: _onReference, ...rest } = request;
      payment = { reference: `pi_test_${randomUUID()}`, request: rest, state: 'action_required' };
      this.pending.set(payment.reference, payment);
    }
    await request.onReference?.(payment.reference);
    return this.confirm(request.idempotencyKey, payment.reference);
  }

  private record(request: Omit<ChargeRequest, 'signal'>, reference = `ch_${randomUUID()}`): RecordedCharge {
    const existing = this.byKey.get(request.idempotencyKey);
    if (existing) return existing;
    const charge: RecordedCharge = {
      reference,
      idempotencyKey: request.idempotencyKey,
      amountCents: request.amountCents,
      currency: request.currency,
      refunds: 0,
    };
    this.charges.set(charge.reference, charge);
    this.byKey.set(charge.idempotencyKey, charge);
    return charge;
  }
}

const actionOf = (reference: string): PaymentAction => ({
  reference,
  clientSecret: `${reference}_secret_test`,
  nextAction: 'use_stripe_sdk',
});

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });
}
