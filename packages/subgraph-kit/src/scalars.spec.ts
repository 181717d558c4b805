import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar } from './scalars.js';

describe('DateTime', () => {
  it('serialises to UTC with a Z', () => {
    expect(DateTimeScalar.serialize(new Date('2026-05-01T19:30:00+02:00'))).toBe('2026-05-01T17:30:00.000Z');
  });

  it('accepts ISO 8601 with an offset and rejects anything ambiguous or unreal', () => {
    expect(DateTimeScalar.parseValue('2026-05-01T19:30:00+02:00')).toEqual(new Date('2026-05-01T17:30:00Z'));
    for (const bad of ['2026-05-01T19:30:00', '2026-05-01', 'tomorrow', 12, '2026-13-45T99:00:00Z']) {
      expect(() => DateTimeScalar.parseValue(bad)).toThrow();
    }
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '1' })).toThrow();
  });
});
