import { describe, expect, it } from 'vitest';
import { corsPolicy } from './hygiene.js';

describe('the CORS allow-list', () => {
  it('defaults to localhost outside production and to nothing in production', () => {
    const development = corsPolicy({ NODE_ENV: 'development', CORS_ORIGINS: undefined });
    for (const origin of [
      'http://localhost:5173',
      'http://127.0.0.1',
      'https://localhost:8443',
      'http://[::1]:3000',
    ])
      expect(development.allowed(origin), origin).toBe(true);
    for (const origin of ['http://localhost.evil.example', 'https://evil.example', 'null', 'file://'])
      expect(development.allowed(origin), origin).toBe(false);
    expect(
      corsPolicy({ NODE_ENV: 'production', CORS_ORIGINS: undefined }).allowed('http://localhost:5173'),
    ).toBe(false);
  });

  it('is exactly the configured origins when CORS_ORIGINS is set (also outside production)', () => {
    const listed = corsPolicy({ NODE_ENV: 'development', CORS_ORIGINS: ['https://app.example.com'] });
    expect(listed.allowed('https://app.example.com')).toBe(true);
    expect(listed.allowed('https://APP.example.com')).toBe(true);
    expect(listed.allowed('http://app.example.com')).toBe(false);
    expect(listed.allowed('http://localhost:5173')).toBe(false);
    expect(corsPolicy({ NODE_ENV: 'production', CORS_ORIGINS: [] }).allowed('https://app.example.com')).toBe(
      false,
    );
    const any = corsPolicy({ NODE_ENV: 'production', CORS_ORIGINS: ['*'] });
    expect(any.any && any.allowed('https://anyone.example')).toBe(true);
  });
});
