import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageRequest, toConnection } from './pagination.js';

const isOffset = (v: unknown): v is { o: number } =>
  typeof v === 'object' && v !== null && typeof (v as { o?: unknown }).o === 'number';

describe('pagination', () => {
  it('caps first at 100 and defaults it', () => {
    expect(pageRequest(500, null, isOffset).limit).toBe(100);
    expect(pageRequest(undefined, null, isOffset).limit).toBe(20);
    expect(pageRequest(0, null, isOffset).limit).toBe(0);
  });

  it('rejects a negative first and cursors it did not issue', () => {
    expect(() => pageRequest(-1, null, isOffset)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
    for (const bad of [
      '%%%',
      encodeCursor({ x: 1 }),
      'a'.repeat(600),
      Buffer.from('not json').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad, isOffset)).toThrow('Malformed cursor');
    }
  });

  it('round-trips cursors and builds a connection from limit + 1 rows', () => {
    expect(decodeCursor(encodeCursor({ o: 7 }), isOffset)).toEqual({ o: 7 });
    const connection = toConnection([{ o: 1 }, { o: 2 }, { o: 3 }], 2, (n) => n, 3);
    expect(connection.edges.map((e) => e.node)).toEqual([{ o: 1 }, { o: 2 }]);
    expect(connection.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor({ o: 2 }) });
    expect(toConnection([], 5, (n) => n, 0).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
