/**
 * Our amounts (priceCents, totalCents) are integers in the ISO 4217 minor unit of their
 * currency: cents for EUR, yen for JPY (exponent 0), fils for KWD (exponent 3). Stripe wants
 * "the smallest currency unit" as *it* defines it (https://docs.stripe.com/currencies), which is
 * the same integer for almost every currency, but not all: the conversion lives here.
 */

/** ISO 4217 exponents other than 2 (the default), for the currencies Stripe can charge. */
const ISO_EXPONENT: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  JOD: 3,
  KWD: 3,
  OMR: 3,
  TND: 3,
};

/** Stripe's zero-decimal currencies (its documented list). MGA is one although ISO gives it 2. */
export const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/** Stripe's three-decimal currencies: the last digit must be 0 (amounts to the nearest ten). */
export const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/**
 * ISK is whole krónur at the card networks but stays two-decimal in Stripe's API for backwards
 * compatibility: 100 is 1 króna and amounts must be multiples of 100.
 */
const TWO_DECIMAL_WHOLE = new Set(['ISK']);

export class AmountNotChargeable extends Error {
  readonly code = 'AMOUNT_NOT_CHARGEABLE';
}

/**
 * `amount` in ISO minor units of `currency` → the integer Stripe's `amount` takes. Never
 * rounds: an amount Stripe cannot take exactly (half a Malagasy ariary, 5.125 KWD) throws
 * AmountNotChargeable, so nothing is charged that differs from the order's total.
 */
export function toMinorUnits(amount: number, currency: string): number {
  const code = currency.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new AmountNotChargeable(`not an ISO 4217 code: ${currency}`);
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new AmountNotChargeable(`amount must be a non-negative integer, got ${amount}`);
  const stripeExponent = ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
  const shift = stripeExponent - (ISO_EXPONENT[code] ?? 2);
  const result = shift >= 0 ? amount * 10 ** shift : amount / 10 ** -shift;
  if (!Number.isSafeInteger(result))
    throw new AmountNotChargeable(`${amount} minor units of ${code} is not a whole Stripe amount`);
  if (THREE_DECIMAL.has(code) && result % 10 !== 0)
    throw new AmountNotChargeable(`${code} amounts must end in 0 at Stripe, got ${result}`);
  if (TWO_DECIMAL_WHOLE.has(code) && result % 100 !== 0)
    throw new AmountNotChargeable(`${code} amounts must be whole at Stripe, got ${result}`);
  return result;
}

/** The inverse of toMinorUnits (refunded amounts reported by Stripe, back in our units). */
export function fromMinorUnits(stripeAmount: number, currency: string): number {
  const code = currency.toUpperCase();
  const stripeExponent = ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
  const shift = (ISO_EXPONENT[code] ?? 2) - stripeExponent;
  const result = shift >= 0 ? stripeAmount * 10 ** shift : stripeAmount / 10 ** -shift;
  if (!Number.isSafeInteger(result))
    throw new AmountNotChargeable(`${stripeAmount} at Stripe is not whole minor units of ${code}`);
  return result;
}
