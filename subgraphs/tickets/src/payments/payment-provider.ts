import { randomUUID } from 'node:crypto';

export interface ChargeRequest {
  amountCents: number;
  currency: string;
  token: string;
  /** The provider dedupes on it: retrying a charge never charges twice. */
  idempotencyKey: string;
  /** Aborted when we stop waiting (timeout): the provider should drop the charge. */
  signal?: AbortSignal;
}

export type ChargeResult = { ok: true; reference: string } | { ok: false; reason: 'DECLINED' };

/**
 * The payment port. A decline is an answer (resolved), not a failure: only errors and
 * timeouts count against the circuit breaker.
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
}

export interface RecordedCharge {
  reference: string;
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  refunds: number;
}

/**
 * The built-in test provider: `tok_ok` succeeds, `tok_declined` declines, `tok_slow` takes
 * `slowMs` (5 s) and then succeeds unless the caller gave up first. It remembers what it
 * charged and refunded, so tests can check that money moved exactly as intended.
 */
export class TestPaymentProvider implements PaymentProvider {
  static readonly TOKENS = ['tok_ok', 'tok_declined', 'tok_slow'] as const;
  readonly charges = new Map<string, RecordedCharge>();
  private readonly byKey = new Map<string, RecordedCharge>();

  constructor(private readonly slowMs = 5_000) {}

  acceptsToken(token: string): boolean {
    return (TestPaymentProvider.TOKENS as readonly string[]).includes(token);
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (request.token === 'tok_declined') return { ok: false, reason: 'DECLINED' };
    if (request.token === 'tok_slow') await sleep(this.slowMs, request.signal);
    else if (request.token !== 'tok_ok') throw new Error('unknown payment token');
    const existing = this.byKey.get(request.idempotencyKey);
    if (existing) return { ok: true, reference: existing.reference };
    const charge: RecordedCharge = {
      reference: `ch_${randomUUID()}`,
      idempotencyKey: request.idempotencyKey,
      amountCents: request.amountCents,
      currency: request.currency,
      refunds: 0,
    };
    this.charges.set(charge.reference, charge);
    this.byKey.set(charge.idempotencyKey, charge);
    return { ok: true, reference: charge.reference };
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
}

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
