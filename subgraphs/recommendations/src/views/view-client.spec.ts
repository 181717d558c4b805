import { describe, expect, it } from 'vitest';
import { createViewClientKeyer } from './view-client.js';

describe('anonymous view clients', () => {
  it('keys a client per day under the secret: stable, short, and telling nothing', () => {
    const key = createViewClientKeyer('a'.repeat(32));
    const today = key('203.0.113.7', '2031-03-01');
    expect(today).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(key('::ffff:203.0.113.7', '2031-03-01')).toBe(today);
    expect(key('203.0.113.7', '2031-03-02')).not.toBe(today);
    expect(key('203.0.113.8', '2031-03-01')).not.toBe(today);
    expect(createViewClientKeyer('b'.repeat(32))('203.0.113.7', '2031-03-01')).not.toBe(today);
    expect(key('2001:db8:1:2::1', '2031-03-01')).toBe(key('2001:db8:1:2::2', '2031-03-01'));
  });
});
