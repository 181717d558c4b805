import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../sha256.js';
import { SupergraphPlanning } from '../supergraph/planning.js';
import { admit } from './admission.js';
import { Refusal } from './errors.js';
import { operationLimits } from './limits.js';
import { ADHOC, anonymous, fakeDeps, IP, persisted, refused, REGISTERED, REGISTERED_ID } from './testing.js';

// What may run: registered operations, automatic persisted queries and the operation limits.

describe('admit: documents', () => {
  it('admits an ad-hoc document outside production, after the operation limits', async () => {
    const { deps, checked } = fakeDeps();
    await expect(admit(deps, anonymous, { query: ADHOC })).resolves.toEqual({ query: ADHOC });
    expect(checked).toEqual([ADHOC]);
  });

  it('passes on a request without a document (Apollo explains), checking nothing', async () => {
    const { deps, checked } = fakeDeps({ production: true });
    await expect(admit(deps, anonymous, { query: '' })).resolves.toEqual({ query: undefined });
    await expect(admit(deps, anonymous, {})).resolves.toEqual({ query: undefined });
    expect(checked).toEqual([]);
  });

  it('refuses an ad-hoc document in production, naming what to send instead', async () => {
    const { deps } = fakeDeps({ production: true });
    expect(await refused(admit(deps, anonymous, { query: ADHOC }))).toMatchObject({
      status: 400,
      code: 'PERSISTED_QUERY_NOT_ALLOWED',
      message: 'In production, send a registered operation by id (extensions.persistedQuery)',
    });
    const withApq = fakeDeps({ production: true, apqInProduction: true });
    expect(await refused(admit(withApq.deps, anonymous, { query: ADHOC }))).toMatchObject({
      code: 'PERSISTED_QUERY_NOT_ALLOWED',
      message: 'In production, send a registered operation or an automatic persisted query',
    });
  });

  it('admits the text of a registered operation in production, with its name', async () => {
    const { deps } = fakeDeps({ production: true });
    await expect(admit(deps, anonymous, { query: REGISTERED.body })).resolves.toEqual({
      query: REGISTERED.body,
      registeredName: 'Hello',
    });
  });

  it('resolves a registered id in production (hex in any case)', async () => {
    const { deps, checked } = fakeDeps({ production: true });
    const request = { extensions: persisted(REGISTERED_ID.toUpperCase()) };
    await expect(admit(deps, anonymous, request)).resolves.toEqual({
      query: REGISTERED.body,
      registeredName: 'Hello',
    });
    expect(checked).toEqual([REGISTERED.body]);
  });

  it('refuses a malformed extensions.persistedQuery', async () => {
    const { deps } = fakeDeps();
    const malformed = [
      { persistedQuery: { version: 2, sha256Hash: REGISTERED_ID } },
      { persistedQuery: { version: 1, sha256Hash: 'not-hex' } },
      { persistedQuery: { version: 1 } },
      { persistedQuery: null },
    ];
    for (const extensions of malformed) {
      expect(await refused(admit(deps, anonymous, { query: ADHOC, extensions }))).toMatchObject({
        status: 400,
        code: 'BAD_REQUEST',
        message: 'extensions.persistedQuery must be { version: 1, sha256Hash: <64 hex> }',
      });
    }
  });

  it('refuses an operation over the limits, with the limits own refusal', async () => {
    const overBudget = new Refusal(400, 'QUERY_TOO_COMPLEX', 'too deep');
    const { deps } = fakeDeps({ verdict: { refusal: overBudget, valid: true } });
    expect(await refused(admit(deps, anonymous, { query: ADHOC }))).toBe(overBudget);
  });
});

describe('admit: automatic persisted queries', () => {
  const id = sha256(ADHOC);

  it('registers a document under its hash, checked once, then serves it by hash alone', async () => {
    const { deps, apq, checked } = fakeDeps();
    const register = { query: ADHOC, extensions: persisted(id) };
    await expect(admit(deps, anonymous, register)).resolves.toEqual({ query: ADHOC });
    expect(apq.get(id)).toBe(ADHOC);
    expect(checked).toEqual([ADHOC]);
    await expect(admit(deps, anonymous, { extensions: persisted(id) })).resolves.toEqual({ query: ADHOC });
    expect(checked).toEqual([ADHOC, ADHOC]);
  });

  it('answers PersistedQueryNotFound for an unknown hash, so the client sends the document', async () => {
    const { deps } = fakeDeps();
    expect(await refused(admit(deps, anonymous, { extensions: persisted(id) }))).toMatchObject({
      status: 200,
      code: 'PERSISTED_QUERY_NOT_FOUND',
      message: 'PersistedQueryNotFound',
    });
  });

  it('refuses a document whose hash is not the one sent, storing nothing', async () => {
    const { deps, apq } = fakeDeps();
    const request = { query: ADHOC, extensions: persisted(REGISTERED_ID.replace(/^./, '0')) };
    expect(await refused(admit(deps, anonymous, request))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'provided sha does not match query',
    });
    expect(apq.size).toBe(0);
  });

  it('stores nothing over the limits', async () => {
    const overBudget = new Refusal(400, 'QUERY_TOO_COMPLEX', 'too costly');
    const { deps, apq } = fakeDeps({ verdict: { refusal: overBudget, valid: true } });
    const request = { query: ADHOC, extensions: persisted(id) };
    expect(await refused(admit(deps, anonymous, request))).toBe(overBudget);
    expect(apq.size).toBe(0);
  });

  it('stores nothing for an invalid document, but lets Apollo explain what is wrong', async () => {
    const { deps, apq } = fakeDeps({ verdict: { refusal: null, valid: false } });
    await expect(admit(deps, anonymous, { query: ADHOC, extensions: persisted(id) })).resolves.toEqual({
      query: ADHOC,
    });
    expect(apq.size).toBe(0);
  });

  it('stores nothing for a caller refused for credentials', async () => {
    const { deps, apq } = fakeDeps();
    const caller = { ip: IP, authorization: 'Bearer forged' };
    expect((await refused(admit(deps, caller, { query: ADHOC, extensions: persisted(id) }))).code).toBe(
      'UNAUTHENTICATED',
    );
    expect(apq.size).toBe(0);
  });

  it('in production, refuses registration and answers unknown hashes PersistedQueryNotFound', async () => {
    const { deps, apq } = fakeDeps({ production: true });
    expect(await refused(admit(deps, anonymous, { query: ADHOC, extensions: persisted(id) }))).toMatchObject({
      status: 400,
      code: 'PERSISTED_QUERY_NOT_ALLOWED',
      message: 'In production, send a registered operation by id',
    });
    apq.set(id, ADHOC); // stored by a gateway that allowed it: production still does not serve it
    expect((await refused(admit(deps, anonymous, { extensions: persisted(id) }))).code).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
  });

  it('in production with APQ_IN_PRODUCTION, registers and serves by hash', async () => {
    const { deps, apq } = fakeDeps({ production: true, apqInProduction: true });
    await admit(deps, anonymous, { query: ADHOC, extensions: persisted(id) });
    expect(apq.get(id)).toBe(ADHOC);
    await expect(admit(deps, anonymous, { extensions: persisted(id) })).resolves.toEqual({ query: ADHOC });
  });
});

describe('admit: the real operation limits', () => {
  const planning = new SupergraphPlanning(
    readFileSync(fileURLToPath(new URL('../../supergraph.graphql', import.meta.url)), 'utf8'),
  );
  const limits = operationLimits({
    maxDepth: 6,
    maxAliases: 2,
    maxDirectives: 3,
    maxTokens: 200,
    maxCost: 100,
    maxDocumentBytes: 1_000,
    defaultListSize: 20,
    production: false,
  });
  const admitted = (query: string, variables?: Record<string, unknown>) =>
    admit(fakeDeps({ limits, planning }).deps, anonymous, { query, ...(variables ? { variables } : {}) });

  it('admits a document within every limit', async () => {
    const query = '{ events(first: 5) { edges { node { id } } } }';
    await expect(admitted(query)).resolves.toEqual({ query });
  });

  it('refuses a document over the byte limit', async () => {
    const query = `{ __typename }${' '.repeat(1_000)}`;
    expect(await refused(admitted(query))).toMatchObject({
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
      message: 'The document is larger than 1000 bytes',
    });
  });

  it('refuses a document over the token limit', async () => {
    // Short names: over 200 tokens well within the byte limit (fields are checked later).
    const query = `{ ${'a '.repeat(250)}}`;
    expect(await refused(admitted(query))).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      message: 'Operation has more than 200 tokens',
    });
  });

  it('refuses a document deeper than the depth limit', async () => {
    const query =
      '{ events { edges { node { similarEvents { similarEvents { similarEvents { id } } } } } } }';
    const refusal = await refused(admitted(query));
    expect(refusal.code).toBe('QUERY_TOO_COMPLEX');
    expect(refusal.message).toBe('Query depth limit of 6 exceeded, found 7.');
  });

  it('refuses more aliases than the alias limit', async () => {
    const page = 'events(first: 1) { edges { node { id } } }';
    const two = `{ a: ${page} b: ${page} }`;
    await expect(admitted(two)).resolves.toEqual({ query: two });
    const refusal = await refused(admitted(`{ a: ${page} b: ${page} c: ${page} }`));
    expect(refusal.code).toBe('QUERY_TOO_COMPLEX');
    expect(refusal.message).toBe('Aliases limit of 2 exceeded, found 3.');
  });

  it('refuses more directives than the directive limit', async () => {
    const refusal = await refused(
      admitted('{ __typename @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) }'),
    );
    expect(refusal.code).toBe('QUERY_TOO_COMPLEX');
    expect(refusal.message).toBe('Directives limit of 3 exceeded, found 4.');
  });

  it('refuses a credential check named twice in one request', async () => {
    const query =
      'mutation { a: signIn(email: "a@example.com", password: "x") { accessToken } b: signIn(email: "b@example.com", password: "y") { accessToken } }';
    expect(await refused(admitted(query))).toMatchObject({
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'signIn may appear once per request',
    });
  });

  it('refuses an operation over the cost budget, priced with its variables', async () => {
    const query = 'query Page($n: Int) { events(first: $n) { edges { node { id } } } }';
    await expect(admitted(query, { n: 10 })).resolves.toEqual({ query });
    const refusal = await refused(admitted(query, { n: 60 }));
    expect(refusal).toMatchObject({
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
      extensions: { cost: 121, maxCost: 100, path: ['events', 'edges', 'node'] },
    });
  });
});
