import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, importPKCS8, SignJWT } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@marquee/auth';
import { errorCodes, graphql } from '@marquee/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTENDEE, startTestStack, type TestStack } from '../harness.js';

/*
 * Someone holds a token signed with the real key (a leaked signing key's brief exposure, a
 * misconfigured issuer, a test token that escaped): signed exactly as the users service signs,
 * but without `exp`, or with a lifetime nobody configured. Every verifier (the gateway's, and
 * each subgraph's behind the internal credential) must refuse it.
 */

// The stack's own signing key, so the test signs exactly as subgraphs/users/src/sessions/signing-keys.ts.
const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const now = () => Math.floor(Date.now() / 1000);

async function sign(sub: string, times: { iat?: number; exp?: number }): Promise<string> {
  const kid = await calculateJwkThumbprint(await exportJWK(createPublicKey(pem)));
  const jwt = new SignJWT({ roles: ['ATTENDEE', 'ORGANIZER', 'ADMIN'] })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(sub)
    .setJti(randomUUID());
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  if (times.exp !== undefined) jwt.setExpirationTime(times.exp);
  return jwt.sign(await importPKCS8(pem, 'EdDSA'));
}

let stack: TestStack;
let userId: string;
beforeAll(async () => {
  stack = await startTestStack({ JWT_PRIVATE_KEY: pem });
  userId = (await stack.signIn(ATTENDEE.email, ATTENDEE.password)).userId;
});
afterAll(() => stack?.stop());

const subgraphs = ['users', 'events', 'tickets', 'recommendations'] as const;
const atSubgraph = (name: (typeof subgraphs)[number], token: string) =>
  graphql(stack.urls[name], '{ __typename }', {}, { token, internalSecret: stack.internalSecret });
const atGateway = (token: string) => stack.call<{ me: { id: string } | null }>('{ me { id } }', {}, token);

describe('tokens signed with the real key', () => {
  it('with exp and iat, as the users service signs them, are accepted everywhere (the control)', async () => {
    const token = await sign(userId, { iat: now(), exp: now() + 900 });
    const res = await atGateway(token);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ me: { id: userId } });
    for (const name of subgraphs) expect(errorCodes(await atSubgraph(name, token))).toEqual([]);
  });

  const hostile: [string, () => { iat?: number; exp?: number }][] = [
    ['without exp (valid forever)', () => ({ iat: now() })],
    ['without iat (no telling its lifetime)', () => ({ exp: now() + 900 })],
    ['living a year', () => ({ iat: now(), exp: now() + 365 * 86_400 })],
    ['issued an hour in the future', () => ({ iat: now() + 3_600, exp: now() + 3_600 + 900 })],
  ];

  it.each(hostile)('%s are refused by the gateway and by every subgraph', async (_name, times) => {
    const token = await sign(userId, times());
    const res = await atGateway(token);
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.data ?? null).toBeNull();
    for (const name of subgraphs) {
      const direct = await atSubgraph(name, token);
      expect({ name, codes: errorCodes(direct) }).toEqual({ name, codes: ['UNAUTHENTICATED'] });
    }
  });

  it('stop working at exp even where a verification is cached (tickets)', async () => {
    // Time enough for the first round on a slow machine; the second comes after exp.
    const exp = now() + 5;
    const token = await sign(userId, { iat: now(), exp });
    for (const name of subgraphs) expect(errorCodes(await atSubgraph(name, token))).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 100));
    expect(errorCodes(await atGateway(token))).toEqual(['UNAUTHENTICATED']);
    for (const name of subgraphs) {
      const direct = await atSubgraph(name, token);
      expect({ name, codes: errorCodes(direct) }).toEqual({ name, codes: ['UNAUTHENTICATED'] });
      expect(direct.errors![0]!.message).toMatch(/expired/i);
    }
  });
});
