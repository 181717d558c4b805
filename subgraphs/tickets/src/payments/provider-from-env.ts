import type { TicketsEnv } from '../env.js';
import { TestPaymentProvider, type PaymentProvider } from './payment-provider.js';
import { StripePaymentProvider } from './stripe/stripe-provider.js';

/** The provider PAYMENT_PROVIDER names (env.ts has made sure Stripe's secrets are there). */
export function paymentProviderFromEnv(env: TicketsEnv): PaymentProvider {
  if (env.PAYMENT_PROVIDER !== 'stripe') return new TestPaymentProvider();
  return new StripePaymentProvider({
    secretKey: env.STRIPE_SECRET_KEY!,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    apiUrl: env.STRIPE_API_URL,
    timeoutMs: env.PAYMENT_TIMEOUT_MS,
  });
}
