import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { BREAKER_OPTIONS, CONFIG, PAYMENT_PROVIDER } from '../tokens.js';
import type { TicketsEnv } from '../env.js';
import type { ChargeRequest, ChargeResult, PaymentProvider } from './payment-provider.js';

/**
 * What became of a charge. `declined` and `unavailable` (the breaker is open: the provider was
 * not even asked) are definite: nothing was charged. After `timeout` and `failed` (the provider
 * threw) a charge may still exist; the order says UNKNOWN until recovery has asked.
 */
export type ChargeOutcome =
  | { kind: 'charged'; reference: string }
  | { kind: 'declined' }
  | { kind: 'timeout' }
  | { kind: 'failed' }
  | { kind: 'unavailable' };

/** opossum's codes for "the provider was not called": open breaker, full semaphore, shut down. */
const NOT_CALLED = new Set(['EOPENBREAKER', 'ESEMLOCKED', 'ESHUTDOWN']);

/** Tunables for the breaker; tests shrink them to open it quickly. */
export interface BreakerOptions {
  volumeThreshold?: number;
  errorThresholdPercentage?: number;
  resetTimeoutMs?: number;
}

/**
 * The payment provider behind opossum circuit breakers: a charge that takes longer than
 * PAYMENT_TIMEOUT_MS is abandoned (and aborted at the provider), and after enough failures
 * the breaker opens so checkouts fail fast instead of piling up on a dead provider.
 */
@Injectable()
export class PaymentGateway implements OnModuleDestroy {
  private readonly charger: CircuitBreaker<[ChargeRequest], ChargeResult>;
  private readonly refunder: CircuitBreaker<[string], void>;
  private readonly finder: CircuitBreaker<[string], { reference: string } | null>;

  constructor(
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(CONFIG) env: TicketsEnv,
    @Inject(BREAKER_OPTIONS) options: BreakerOptions,
  ) {
    const common = {
      volumeThreshold: options.volumeThreshold ?? 10,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      resetTimeout: options.resetTimeoutMs ?? 30_000,
    };
    this.charger = new CircuitBreaker((request: ChargeRequest) => provider.charge(request), {
      ...common,
      name: 'payments.charge',
      timeout: env.PAYMENT_TIMEOUT_MS,
    });
    this.refunder = new CircuitBreaker((reference: string) => provider.refund(reference), {
      ...common,
      name: 'payments.refund',
      timeout: env.PAYMENT_TIMEOUT_MS,
    });
    this.finder = new CircuitBreaker((key: string) => provider.findCharge(key), {
      ...common,
      name: 'payments.find',
      timeout: env.PAYMENT_TIMEOUT_MS,
    });
  }

  acceptsToken(token: string): boolean {
    return this.provider.acceptsToken(token);
  }

  async charge(request: Omit<ChargeRequest, 'signal'>): Promise<ChargeOutcome> {
    const abort = new AbortController();
    try {
      const result = await this.charger.fire({ ...request, signal: abort.signal });
      return result.ok ? { kind: 'charged', reference: result.reference } : { kind: 'declined' };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ETIMEDOUT') {
        // We stopped waiting: tell the provider to drop the charge too.
        abort.abort();
        return { kind: 'timeout' };
      }
      return NOT_CALLED.has(code ?? '') ? { kind: 'unavailable' } : { kind: 'failed' };
    }
  }

  /** The charge made for this order, if any; throws when the provider cannot say. */
  findCharge(orderId: string): Promise<{ reference: string } | null> {
    return this.finder.fire(orderId);
  }

  /** Throws when the refund could not be made (the order keeps paymentState CHARGED). */
  async refund(reference: string): Promise<void> {
    await this.refunder.fire(reference);
  }

  get chargeBreakerOpen(): boolean {
    return this.charger.opened;
  }

  onModuleDestroy() {
    this.charger.shutdown();
    this.refunder.shutdown();
    this.finder.shutdown();
  }
}
