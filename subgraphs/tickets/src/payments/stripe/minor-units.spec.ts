import { describe, expect, it } from 'vitest';
import { fromMinorUnits, toMinorUnits } from './minor-units.js';

describe('toMinorUnits (our ISO 4217 minor units → Stripe amounts)', () => {
  it('keeps two-decimal and zero-decimal amounts as they are', () => {
    expect(toMinorUnits(2_500, 'EUR')).toBe(2_500);
    expect(toMinorUnits(2_500, 'usd')).toBe(2_500);
    expect(toMinorUnits(5_000, 'JPY')).toBe(5_000); // ¥5,000, not ¥50
    expect(toMinorUnits(12_000, 'KRW')).toBe(12_000);
    expect(toMinorUnits(0, 'EUR')).toBe(0);
  });

  it('converts where Stripe and ISO disagree: ISK two-decimal at Stripe, MGA zero-decimal', () => {
    expect(toMinorUnits(1_990, 'ISK')).toBe(199_000);
    expect(toMinorUnits(50_000, 'MGA')).toBe(500);
    expect(() => toMinorUnits(50_050, 'MGA')).toThrow(/not a whole Stripe amount/);
  });

  it('takes three-decimal amounts that end in 0 and refuses to round the others', () => {
    expect(toMinorUnits(5_120, 'KWD')).toBe(5_120);
    expect(() => toMinorUnits(5_124, 'KWD')).toThrow(/must end in 0/);
    expect(() => toMinorUnits(5_124, 'BHD')).toThrow(
      expect.objectContaining({ code: 'AMOUNT_NOT_CHARGEABLE' }),
    );
  });

  it('refuses what is not an amount or a currency', () => {
    expect(() => toMinorUnits(1.5, 'EUR')).toThrow();
    expect(() => toMinorUnits(-1, 'EUR')).toThrow();
    expect(() => toMinorUnits(100, 'EURO')).toThrow();
  });

  it('round-trips with fromMinorUnits', () => {
    for (const [amount, currency] of [
      [2_500, 'EUR'],
      [5_000, 'JPY'],
      [1_990, 'ISK'],
      [50_000, 'MGA'],
      [5_120, 'KWD'],
    ] as const)
      expect(fromMinorUnits(toMinorUnits(amount, currency), currency)).toBe(amount);
  });
});
