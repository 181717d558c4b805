import { describe, expect, it } from 'vitest';
import { findInvalidText } from './text-guard.js';

describe('text that PostgreSQL cannot store', () => {
  it('finds NUL characters and unpaired surrogates anywhere in the variables', () => {
    expect(findInvalidText({ input: { name: 'a\u0000b' } })).toBe('a\u0000b');
    expect(findInvalidText({ list: [[{ deep: 'x\ud800' }]] })).toBe('x\ud800');
    expect(findInvalidText(['\udc00 alone'])).toBe('\udc00 alone');
  });

  it('accepts every other text, however odd', () => {
    expect(
      findInvalidText({ a: '😀 ＡＢＣ ﷽ \u202e', b: ['', ' ', '\t\r\n'], c: 1, d: null }),
    ).toBeUndefined();
    expect(findInvalidText(Array.from({ length: 200_000 }, () => 'fine'))).toBeUndefined();
  });
});
