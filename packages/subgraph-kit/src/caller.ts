import {
  bearerToken,
  CLIENT_IP_HEADER,
  INTERNAL_HEADER,
  internalSecretMatches,
  PARTNER_KEY_HEADER,
  type Caller,
  type TokenVerifier,
} from '@marquee/auth';
import { GraphQLError } from 'graphql';

export interface IncomingHeaders {
  headers: Record<string, string | string[] | undefined>;
}

function header(req: IncomingHeaders, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function hasInternalCredential(req: IncomingHeaders, secret: string): boolean {
  return internalSecretMatches(header(req, INTERNAL_HEADER), secret);
}

/**
 * Who is calling. The subgraph verifies the access token itself (the gateway did too, but a
 * second wall costs one signature check), and trusts the partner header only because the
 * request carried the internal credential, which the caller checks first.
 */
export async function resolveCaller(req: IncomingHeaders, verifier: TokenVerifier): Promise<Caller> {
  const caller: Caller = {};
  const token = bearerToken(header(req, 'authorization'));
  if (token) {
    try {
      caller.user = await verifier.verify(token);
    } catch (error) {
      const expired = (error as { reason?: string }).reason === 'expired';
      throw new GraphQLError(expired ? 'Access token expired' : 'Invalid access token', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
  }
  const partner = header(req, PARTNER_KEY_HEADER);
  if (partner) caller.partner = { keyId: partner };
  return caller;
}

/**
 * The end client's address, as the gateway forwarded it; `unknown` when the request came from
 * another service. Only meaningful behind the internal-credential check every /graphql has.
 */
export function clientIpOf(req: IncomingHeaders): string {
  const value = header(req, CLIENT_IP_HEADER);
  return value && value.length <= 64 ? value : 'unknown';
}
