import { EnvError, parseEnv } from '@marquee/env';
import { describe, expect, it } from 'vitest';
import { holdCeilingSeconds, ticketsEnvSchema } from '../src/env.js';

const base = { DATABASE_URL: 'postgres://x/y', INTERNAL_SECRET: 'Vq3kT8zL1pWc6Rn0Ys4Hd9Fb2Mj7Xa5E' };
const problemsOf = (source: Record<string, string>) => {
  try {
    parseEnv(ticketsEnvSchema, source);
    return [];
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
};

describe('tickets env', () => {
  it('refuses the test payment provider in production unless ALLOW_TEST_PAYMENTS=true, listing every problem', () => {
    // Every problem at once: the payment rule is not hidden behind another variable's error.
    const problems = problemsOf({ ...base, NODE_ENV: 'production', RESERVATION_TTL_SECONDS: 'soon' });
    expect(problems).toEqual([
      expect.stringMatching(/^RESERVATION_TTL_SECONDS: /),
      expect.stringMatching(/^PAYMENT_PROVIDER: /),
    ]);
    expect(problemsOf({ ...base, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(
        /^PAYMENT_PROVIDER: is "test" with NODE_ENV=production: .* Configure a real payment provider, or set ALLOW_TEST_PAYMENTS=true/,
      ),
    ]);
    expect(problemsOf({ ...base, NODE_ENV: 'production', ALLOW_TEST_PAYMENTS: 'true' })).toEqual([]);
    expect(problemsOf({ ...base, NODE_ENV: 'production', ALLOW_TEST_PAYMENTS: 'false' })).toHaveLength(1);
    expect(problemsOf({ ...base, NODE_ENV: 'production', ALLOW_TEST_PAYMENTS: 'yes' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ALLOW_TEST_PAYMENTS: /)]),
    );
    expect(problemsOf({ ...base, PAYMENT_PROVIDER: 'stripe' })).toEqual([
      expect.stringMatching(/^PAYMENT_PROVIDER: /),
    ]);
    // Outside production the test provider is the default, with no opt-in.
    expect(parseEnv(ticketsEnvSchema, base)).toMatchObject({
      PAYMENT_PROVIDER: 'test',
      ALLOW_TEST_PAYMENTS: false,
    });
  });

  it('takes Stripe with both secrets; in production only live keys at api.stripe.com, unless ALLOW_TEST_PAYMENTS', () => {
    const key = 'sk_live_51Hx0000000000000000000000';
    const stripe = { ...base, PAYMENT_PROVIDER: 'stripe', STRIPE_WEBHOOK_SECRET: 'whsec_0123456789abcdef' };
    expect(problemsOf({ ...stripe, STRIPE_SECRET_KEY: key, NODE_ENV: 'production' })).toEqual([]);
    expect(problemsOf({ ...stripe, NODE_ENV: 'production' })).toEqual([
      'PAYMENT_PROVIDER: is "stripe": set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET',
    ]);
    const testKey = { ...stripe, STRIPE_SECRET_KEY: 'sk_test_51Hx000000000000000000000' };
    expect(problemsOf(testKey)).toEqual([]);
    expect(problemsOf({ ...testKey, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: is a test-mode key with NODE_ENV=production/),
    ]);
    const fake = { ...testKey, NODE_ENV: 'production', STRIPE_API_URL: 'http://127.0.0.1:12111' };
    expect(problemsOf(fake)).toHaveLength(2);
    expect(problemsOf({ ...fake, ALLOW_TEST_PAYMENTS: 'true' })).toEqual([]);
    // A malformed secret is refused without being quoted.
    const problems = problemsOf({ ...stripe, STRIPE_SECRET_KEY: 'pk_live_oops-secret-value' });
    expect(problems).toEqual([expect.stringMatching(/^STRIPE_SECRET_KEY: must be a Stripe secret key/)]);
    expect(problems.join()).not.toContain('oops-secret-value');
  });

  it('defaults the hold limits: 3 live holds, a ceiling of twice the hold length', () => {
    const env = parseEnv(ticketsEnvSchema, { ...base, RESERVATION_TTL_SECONDS: '300' });
    expect(env.MAX_LIVE_HOLDS_PER_USER).toBe(3);
    expect(holdCeilingSeconds(env)).toBe(600);
    expect(holdCeilingSeconds(parseEnv(ticketsEnvSchema, base))).toBe(1_200);
    expect(holdCeilingSeconds(parseEnv(ticketsEnvSchema, { ...base, HOLD_CEILING_SECONDS: '900' }))).toBe(
      900,
    );
    expect(problemsOf({ ...base, HOLD_CEILING_SECONDS: '60' })).toEqual([
      'HOLD_CEILING_SECONDS: must be at least RESERVATION_TTL_SECONDS',
    ]);
    expect(problemsOf({ ...base, MAX_LIVE_HOLDS_PER_USER: '0' })).toEqual([
      expect.stringMatching(/^MAX_LIVE_HOLDS_PER_USER: /),
    ]);
  });
});
