import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';

export interface BudgetLimits {
  maxEntities: number;
  maxResponseBytes: number;
  deadlineMs: number;
}

type Exceeded = 'entities' | 'bytes' | 'deadline';

/**
 * What one request may take while it executes, whatever the cost model estimated: entities
 * fetched from subgraphs, bytes of subgraph answers (about what the gateway holds in memory
 * for it), and time. The first fetch over a ceiling fails, every later one fails without
 * calling anyone, and the response is replaced by one coded error (see requestBudget).
 */
export class RequestBudget {
  entities = 0;
  bytes = 0;
  exceeded: Exceeded | undefined;
  private readonly deadline: number;

  constructor(private readonly limits: BudgetLimits) {
    this.deadline = Date.now() + limits.deadlineMs;
  }

  /** Before a subgraph call with this many representations; throws when over a ceiling. */
  beforeFetch(representations: number) {
    if (!this.exceeded && Date.now() >= this.deadline) this.exceeded = 'deadline';
    if (!this.exceeded && this.entities + representations > this.limits.maxEntities)
      this.exceeded = 'entities';
    if (this.exceeded) throw this.error();
    this.entities += representations;
  }

  /** After a subgraph answered this many bytes. */
  afterFetch(bytes: number) {
    this.bytes += bytes;
    if (!this.exceeded && this.bytes > this.limits.maxResponseBytes) this.exceeded = 'bytes';
    if (this.exceeded) throw this.error();
  }

  /**
   * `work`, or the deadline's error if that comes first. The fetch itself is left to its own
   * timeout (other requests may share it); the timer is cleared as soon as it settles, so
   * nothing (least of all the answer) stays referenced until the deadline.
   */
  async within<T>(work: Promise<T>): Promise<T> {
    const remaining = this.deadline - Date.now();
    if (remaining <= 0) {
      this.exceeded ??= 'deadline';
      throw this.error();
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.exceeded ??= 'deadline';
        reject(this.error());
      }, remaining);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  error(): GraphQLError {
    const { maxEntities, maxResponseBytes, deadlineMs } = this.limits;
    if (this.exceeded === 'deadline') {
      return new GraphQLError(`The request did not finish within ${deadlineMs} ms`, {
        extensions: { code: 'GATEWAY_TIMEOUT', http: { status: 504 } },
      });
    }
    const message =
      this.exceeded === 'entities'
        ? `The answer needs more than ${maxEntities} entities`
        : `The answer is larger than ${maxResponseBytes} bytes`;
    return new GraphQLError(`${message}; ask for smaller pages (first) or fewer nested lists`, {
      extensions: {
        code: 'QUERY_TOO_COMPLEX',
        reason: this.exceeded === 'entities' ? 'ENTITY_LIMIT' : 'RESPONSE_SIZE_LIMIT',
        http: { status: 400 },
      },
    });
  }
}

/**
 * A fresh budget for every operation Apollo runs (HTTP, and queries or mutations sent over a
 * stream), and one clean error instead of a half-built answer when it ran out. A mutation keeps
 * its data: what it wrote happened, and the client needs to know.
 */
export function requestBudget(limits: BudgetLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      contextValue.budget = new RequestBudget(limits);
      return {
        async willSendResponse({ response, contextValue: context, operation }) {
          const budget = context.budget;
          if (!budget?.exceeded || response.body.kind !== 'single') return;
          const error = budget.error();
          const status = (error.extensions.http as { status: number }).status;
          const mutation = operation?.operation === 'mutation';
          response.body.singleResult = {
            ...(mutation ? { data: response.body.singleResult.data } : {}),
            errors: [
              { message: error.message, extensions: { code: error.extensions.code, ...reasonOf(error) } },
            ],
          };
          if (!mutation) response.http.status = status;
        },
      };
    },
  };
}

const reasonOf = (error: GraphQLError) =>
  error.extensions.reason ? { reason: error.extensions.reason } : {};
