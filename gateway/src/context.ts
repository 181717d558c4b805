import { bearerToken, type Caller, type TokenVerifier } from '@marquee/auth';
import { GraphQLError } from 'graphql';

/** Per request: the verified caller and what to forward to subgraphs. */
export interface GatewayContext {
  caller: Caller;
  authorization?: string;
  partnerKeyId?: string;
  /** The client's address (TRUST_PROXY_HOPS applied), forwarded to subgraphs for their throttles. */
  clientIp?: string;
}

type Headers = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The first wall: a bad or expired token stops here, before any subgraph is asked. */
export async function buildContext(
  headers: Headers,
  verifier: TokenVerifier,
  partnerKeyId?: string,
  clientIp?: string,
): Promise<GatewayContext> {
  const partner = { ...(partnerKeyId ? { partnerKeyId } : {}), ...(clientIp ? { clientIp } : {}) };
  const authorization = first(headers.authorization);
  if (!authorization) return { caller: partnerKeyId ? { partner: { keyId: partnerKeyId } } : {}, ...partner };
  const token = bearerToken(authorization);
  try {
    if (!token) throw new Error('not a bearer token');
    const user = await verifier.verify(token);
    return {
      caller: { user, ...(partnerKeyId ? { partner: { keyId: partnerKeyId } } : {}) },
      authorization: `Bearer ${token}`,
      ...partner,
    };
  } catch (error) {
    const expired = (error as { reason?: string }).reason === 'expired';
    throw new GraphQLError(expired ? 'Access token expired' : 'Invalid access token', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
}
