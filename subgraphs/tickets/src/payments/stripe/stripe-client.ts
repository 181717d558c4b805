import Stripe from 'stripe';

/**
 * The Stripe API version we speak, pinned: the one stripe@23.2.0 defaults to (its types
 * describe exactly this version). Upgrading the SDK means reading Stripe's changelog and
 * moving this on purpose; a test checks it still matches the SDK's default.
 */
export const STRIPE_API_VERSION = '2026-11-18.endive' as const satisfies typeof Stripe.API_VERSION;

export interface StripeClientOptions {
  secretKey: string;
  /** A Stripe-compatible server (tests, local development); unset: api.stripe.com. */
  apiUrl?: string;
  /** Per request; the payment gateway's own timeout (PAYMENT_TIMEOUT_MS) usually fires first. */
  timeoutMs?: number;
}

/**
 * The SDK client. Network retries are safe because every POST we make carries an idempotency
 * key (the SDK adds one to any retried POST that has none). No telemetry headers.
 */
export function createStripeClient(options: StripeClientOptions): Stripe {
  return new Stripe(options.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 2,
    timeout: options.timeoutMs ?? 20_000,
    telemetry: false,
    appInfo: { name: 'marquee-tickets' },
    ...(options.apiUrl ? hostOf(options.apiUrl) : {}),
  });
}

function hostOf(apiUrl: string) {
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
  } as const;
}
