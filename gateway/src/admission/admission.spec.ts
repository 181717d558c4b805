import { describe, expect, it } from 'vitest';
import { sha256 } from '../sha256.js';
import { admit } from './admission.js';
import {
  ADHOC,
  anonymous,
  fakeDeps,
  IP,
  PARTNER,
  persisted,
  refused,
  REGISTERED,
  REGISTERED_ID,
  USER,
} from './testing.js';

// Who may ask: rate limits, tokens and partner keys (the documents: admission.documents.spec.ts).

describe('admit: rate limits and credentials', () => {
  it('counts an anonymous request against its IP and the IP anonymous quota', async () => {
    const { deps, taken } = fakeDeps();
    await expect(admit(deps, anonymous, { query: ADHOC })).resolves.toEqual({ query: ADHOC });
    expect(taken).toEqual([`ip:${IP} 300`, `anon:${IP} 60`]);
  });

  it('counts an IPv6 caller by its /64', async () => {
    const { deps, taken } = fakeDeps();
    await admit(deps, { ip: '2001:db8:1:2:aaaa::1' }, { query: ADHOC });
    expect(taken).toEqual(['ip:2001:db8:1:2::/64 300', 'anon:2001:db8:1:2::/64 60']);
  });

  it('refuses an IP over its limit with 429 and Retry-After, before looking at the key', async () => {
    const { deps, verifiedKeys } = fakeDeps({ exhausted: ['ip:'] });
    const refusal = await refused(admit(deps, { ip: IP, apiKey: 'bad-key' }, { query: ADHOC }));
    expect(refusal).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      extensions: { retryAfterSeconds: 42 },
      headers: { 'retry-after': '42' },
    });
    expect(verifiedKeys).toEqual([]);
  });

  it('refuses an anonymous caller over the anonymous quota', async () => {
    const { deps } = fakeDeps({ exhausted: ['anon:'] });
    expect(await refused(admit(deps, anonymous, { query: ADHOC }))).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
    });
  });

  it('refuses an invalid or revoked API key, charging the anonymous quota', async () => {
    const { deps, taken } = fakeDeps();
    const refusal = await refused(admit(deps, { ip: IP, apiKey: 'bad-key' }, { query: ADHOC }));
    expect(refusal).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'Invalid or revoked API key',
    });
    expect(taken).toEqual([`ip:${IP} 300`, `anon:${IP} 60`]);
  });

  it('answers RATE_LIMITED, not UNAUTHENTICATED, to key guessing past the anonymous quota', async () => {
    const { deps } = fakeDeps({ exhausted: ['anon:'] });
    const refusal = await refused(admit(deps, { ip: IP, apiKey: 'bad-key' }, { query: ADHOC }));
    expect(refusal.code).toBe('RATE_LIMITED');
  });

  it('refuses a partner over its own per-minute limit', async () => {
    const { deps, taken } = fakeDeps({ exhausted: ['key:'] });
    const caller = { ip: IP, apiKey: 'good-key' };
    const refusal = await refused(admit(deps, caller, { extensions: persisted(REGISTERED_ID) }));
    expect(refusal.code).toBe('RATE_LIMITED');
    expect(taken).toEqual([`ip:${IP} 300`, 'key:key-1 600']);
  });

  it('refuses an invalid access token, charging the anonymous quota', async () => {
    const { deps, taken } = fakeDeps();
    const caller = { ip: IP, authorization: 'Bearer forged' };
    expect(await refused(admit(deps, caller, { query: ADHOC }))).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'Invalid access token',
    });
    expect(taken).toEqual([`ip:${IP} 300`, `anon:${IP} 60`]);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const { deps } = fakeDeps();
    const caller = { ip: IP, authorization: 'Basic dXNlcjpwYXNz' };
    expect(await refused(admit(deps, caller, { query: ADHOC }))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Invalid access token',
    });
  });

  it('refuses an expired access token, saying so', async () => {
    const { deps } = fakeDeps();
    const caller = { ip: IP, authorization: 'Bearer old-token' };
    expect(await refused(admit(deps, caller, { query: ADHOC }))).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'Access token expired',
    });
  });

  it('refuses a signed-in user over the per-user limit', async () => {
    const { deps, taken } = fakeDeps({ exhausted: ['user:'] });
    const caller = { ip: IP, authorization: 'Bearer good-token' };
    expect((await refused(admit(deps, caller, { query: ADHOC }))).code).toBe('RATE_LIMITED');
    expect(taken).toEqual([`ip:${IP} 300`, 'user:user-1 120']);
  });

  it('admits a signed-in user, counted per user and not against the anonymous quota', async () => {
    const { deps, taken } = fakeDeps({ exhausted: ['anon:'] });
    const caller = { ip: IP, authorization: 'Bearer good-token' };
    await expect(admit(deps, caller, { query: ADHOC })).resolves.toEqual({ query: ADHOC, user: USER });
    expect(taken).toEqual([`ip:${IP} 300`, 'user:user-1 120']);
  });

  it('treats an empty Authorization header as no token', async () => {
    const { deps } = fakeDeps();
    await expect(admit(deps, { ip: IP, authorization: '  ' }, { query: ADHOC })).resolves.toEqual({
      query: ADHOC,
    });
  });

  it('takes a user the transport already verified without checking the header again', async () => {
    const { deps, taken } = fakeDeps();
    const verified = { ip: IP, user: USER, authorization: 'Bearer forged' };
    await expect(admit(deps, verified, { query: ADHOC })).resolves.toEqual({ query: ADHOC, user: USER });
    const connectedAnonymously = { ip: IP, user: null, authorization: 'Bearer forged' };
    await expect(admit(deps, connectedAnonymously, { query: ADHOC })).resolves.toEqual({ query: ADHOC });
    expect(taken).toEqual([`ip:${IP} 300`, 'user:user-1 120', `ip:${IP} 300`, `anon:${IP} 60`]);
  });
});

describe('admit: partners (API key)', () => {
  const partner = { ip: IP, apiKey: 'good-key' };

  it('runs a registered operation by id, counted against the key', async () => {
    const { deps, taken, checked } = fakeDeps({ production: true });
    await expect(admit(deps, partner, { extensions: persisted(REGISTERED_ID) })).resolves.toEqual({
      query: REGISTERED.body,
      partner: PARTNER,
      registeredName: 'Hello',
    });
    expect(taken).toEqual([`ip:${IP} 300`, 'key:key-1 600']);
    expect(checked).toEqual([REGISTERED.body]);
  });

  it('refuses a document sent as text, even a registered one', async () => {
    const { deps } = fakeDeps();
    expect(await refused(admit(deps, partner, { query: REGISTERED.body }))).toMatchObject({
      status: 400,
      code: 'PERSISTED_QUERY_NOT_ALLOWED',
      message: 'Requests with an API key run registered operations by id only (extensions.persistedQuery)',
    });
  });

  it('refuses an id sent together with a document', async () => {
    const { deps } = fakeDeps();
    const request = { query: REGISTERED.body, extensions: persisted(REGISTERED_ID) };
    expect((await refused(admit(deps, partner, request))).code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });

  it('answers PersistedQueryNotFound for an unregistered id, even one stored as APQ', async () => {
    const { deps, apq } = fakeDeps();
    const id = sha256(ADHOC);
    apq.set(id, ADHOC);
    expect(await refused(admit(deps, partner, { extensions: persisted(id) }))).toMatchObject({
      status: 200,
      code: 'PERSISTED_QUERY_NOT_FOUND',
      message: 'PersistedQueryNotFound',
    });
  });
});
