import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSuccessor, sealSuccessor } from './successor.js';

const token = () => randomBytes(32).toString('base64url');
const pair = { accessToken: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln', refreshToken: token() };

describe('sealed successor pairs', () => {
  it('opens with the old token and row, and shows neither token', () => {
    const old = token();
    const row = randomUUID();
    const sealed = sealSuccessor(old, row, pair);
    for (const part of [pair.refreshToken, ...pair.accessToken.split('.')])
      expect(sealed).not.toContain(part);
    expect(openSuccessor(old, row, sealed)).toEqual(pair);
    expect(sealSuccessor(old, row, pair)).not.toBe(sealed); // a fresh IV every time
  });

  it('does not open with another token, another row, or when altered', () => {
    const old = token();
    const row = randomUUID();
    const sealed = sealSuccessor(old, row, pair);
    expect(openSuccessor(token(), row, sealed)).toBeUndefined();
    expect(openSuccessor(old, randomUUID(), sealed)).toBeUndefined();
    const raw = Buffer.from(sealed, 'base64url');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    expect(openSuccessor(old, row, raw.toString('base64url'))).toBeUndefined();
    expect(openSuccessor(old, row, 'short')).toBeUndefined();
    expect(openSuccessor(old, row, '')).toBeUndefined();
  });
});
