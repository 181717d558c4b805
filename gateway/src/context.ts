import { bearerToken, type Caller } from '@marquee/auth';
import type { Admitted } from './admission/index.js';
import type { RequestBudget } from './plugins/request-budget.js';

/** Per request: the verified caller and what to forward to subgraphs. */
export interface GatewayContext {
  caller: Caller;
  authorization?: string;
  partnerKeyId?: string;
  /** The client's address (TRUST_PROXY_HOPS applied), forwarded to subgraphs for their throttles. */
  clientIp?: string;
  /** A registered operation's name, else `other`: metric labels come from a bounded set only. */
  operationLabel: string;
  /** What this operation may still fetch (set per operation by the requestBudget plugin). */
  budget?: RequestBudget;
}

/**
 * The context of an admitted request. Admission verified the token (the first wall: a bad or
 * expired one stops there, before any subgraph is asked); subgraphs verify it again.
 */
export function contextFor(
  admitted: Admitted,
  authorization: string | undefined,
  clientIp: string,
): GatewayContext {
  const partner = admitted.partner ? { partner: { keyId: admitted.partner.id } } : {};
  const token = admitted.user ? bearerToken(authorization) : undefined;
  return {
    caller: { ...(admitted.user ? { user: admitted.user } : {}), ...partner },
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(admitted.partner ? { partnerKeyId: admitted.partner.id } : {}),
    clientIp,
    operationLabel: admitted.registeredName ?? 'other',
  };
}
