import { addressBucket } from '@marquee/auth';

export interface QuotaLimits {
  perConnection: number;
  perIp: number;
  perUser: number;
  connectionsPerIp: number;
}

/**
 * How many live subscriptions (graphql-ws and event streams together) and graphql-ws
 * connections one client may hold on this gateway replica, so that no caller can take the
 * sockets, topics and upstream watchers everyone else needs. Counted in memory: each replica
 * holds its own connections. An IPv6 client is counted by its /64.
 */
export class SubscriptionQuota {
  private readonly byIp = new Map<string, number>();
  private readonly byUser = new Map<string, number>();
  private readonly connections = new Map<string, number>();

  constructor(readonly limits: QuotaLimits) {}

  /** A release function, or the reason it is refused. */
  acquire(address: string, userId: string | undefined): (() => void) | { refused: string } {
    const ip = addressBucket(address);
    if ((this.byIp.get(ip) ?? 0) >= this.limits.perIp)
      return { refused: `At most ${this.limits.perIp} live subscriptions per client address` };
    if (userId && (this.byUser.get(userId) ?? 0) >= this.limits.perUser)
      return { refused: `At most ${this.limits.perUser} live subscriptions per user` };
    bump(this.byIp, ip, 1);
    if (userId) bump(this.byUser, userId, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this.byIp, ip, -1);
      if (userId) bump(this.byUser, userId, -1);
    };
  }

  /** A graphql-ws connection from this address; false when it already holds the most. */
  connect(address: string): boolean {
    const ip = addressBucket(address);
    if ((this.connections.get(ip) ?? 0) >= this.limits.connectionsPerIp) return false;
    bump(this.connections, ip, 1);
    return true;
  }

  disconnect(address: string) {
    bump(this.connections, addressBucket(address), -1);
  }
}

function bump(counts: Map<string, number>, key: string, delta: number) {
  const next = (counts.get(key) ?? 0) + delta;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

export function quotaRefusal(reason: string) {
  return [{ message: reason, extensions: { code: 'RATE_LIMITED', reason: 'SUBSCRIPTION_LIMIT' } }];
}
