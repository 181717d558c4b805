import type { GraphQLDataSource } from '@apollo/gateway';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { PreparedSubscription, SupergraphPlanning } from '../supergraph/planning.js';
import { Coalescer } from './coalescer.js';
import { resolveEvent } from './resolve-event.js';
import type { Subscriber } from './subscriber.js';
import type { UpstreamClients, UpstreamScope } from './upstream.js';

export interface TopicSpec {
  /** Operation + variables + authorisation scope: equal keys share everything below. */
  key: string;
  prepared: PreparedSubscription;
  variables: Record<string, unknown>;
  scope: UpstreamScope;
  /** The first subscriber's context: same scope, so the same identity for every fetch. */
  context: GatewayContext;
}

export interface HubOptions {
  planning: () => SupergraphPlanning;
  upstream: UpstreamClients;
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;
  /** At most one update per this many ms per topic; the last one always goes out. */
  coalesceMs: number;
  formatError: (error: GraphQLFormattedError) => GraphQLFormattedError;
  log: { error(object: object, message: string): void };
}

/**
 * Fan-out done once: one upstream subscription per topic, one federated resolution per event
 * and one serialised payload, written to every subscriber of the topic.
 */
export class SubscriptionHub {
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly options: HubOptions) {}

  join(spec: TopicSpec, subscriber: Subscriber): () => void {
    let topic = this.topics.get(spec.key);
    if (!topic) {
      const created: Topic = new Topic(spec, this.options, () => {
        if (this.topics.get(spec.key) === created) this.topics.delete(spec.key);
      });
      topic = created;
      this.topics.set(spec.key, topic);
      topic.add(subscriber);
      topic.start();
    } else {
      topic.add(subscriber);
    }
    const joined = topic;
    return () => joined.remove(subscriber);
  }

  stats() {
    let subscribers = 0;
    for (const topic of this.topics.values()) subscribers += topic.size;
    return { topics: this.topics.size, subscribers, upstream: this.options.upstream.subscriptionCount };
  }

  /** Shutdown: every subscriber gets `complete`. */
  closeAll() {
    for (const topic of [...this.topics.values()]) topic.completeAll();
  }
}

class Topic {
  private readonly subscribers = new Set<Subscriber>();
  private lastPayload: string | undefined;
  private readonly coalescer: Coalescer<Record<string, unknown>>;
  private stopUpstream: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly spec: TopicSpec,
    private readonly options: HubOptions,
    private readonly onEmpty: () => void,
  ) {
    this.coalescer = new Coalescer(options.coalesceMs, (event) => this.resolveLatest(event));
  }

  get size() {
    return this.subscribers.size;
  }

  add(subscriber: Subscriber) {
    this.subscribers.add(subscriber);
    // A late joiner gets the current state at once; the subgraph sends it to the first one.
    if (this.lastPayload !== undefined) subscriber.next(this.lastPayload);
  }

  remove(subscriber: Subscriber) {
    if (!this.subscribers.delete(subscriber) || this.subscribers.size > 0) return;
    this.close();
  }

  start() {
    const { prepared, variables, scope } = this.spec;
    const primary = prepared.primary;
    const upstreamVariables: Record<string, unknown> = {};
    for (const name of primary.variableUsages ?? []) {
      if (name in variables) upstreamVariables[name] = variables[name];
    }
    this.stopUpstream = this.options.upstream.subscribe(
      primary.serviceName,
      scope,
      {
        query: primary.operation,
        variables: upstreamVariables,
        ...(primary.operationName ? { operationName: primary.operationName } : {}),
      },
      {
        next: (data) => this.coalescer.push(data),
        error: (errors) => this.fail(errors as GraphQLFormattedError[]),
        complete: () => this.completeAll(),
      },
    );
  }

  private async resolveLatest(eventData: Record<string, unknown>) {
    if (this.closed) return;
    try {
      const result = await resolveEvent({
        planning: this.options.planning(),
        prepared: this.spec.prepared,
        eventData,
        variables: this.spec.variables,
        context: this.spec.context,
        dataSources: this.options.dataSources,
      });
      const errors = result.errors?.map((e) =>
        this.options.formatError(e.toJSON ? e.toJSON() : (e as never)),
      );
      this.broadcast(
        JSON.stringify(errors?.length ? { data: result.data ?? null, errors } : { data: result.data }),
      );
    } catch (error) {
      this.options.log.error({ err: String(error) }, 'resolving a subscription event failed');
    }
  }

  private broadcast(payloadJson: string) {
    if (this.closed) return;
    this.lastPayload = payloadJson;
    for (const subscriber of this.subscribers) subscriber.next(payloadJson);
  }

  private fail(errors: readonly GraphQLFormattedError[]) {
    const errorsJson = JSON.stringify(errors.map((e) => this.options.formatError(e)));
    const subscribers = [...this.subscribers];
    this.close();
    for (const subscriber of subscribers) subscriber.error(errorsJson);
  }

  completeAll() {
    const subscribers = [...this.subscribers];
    this.close();
    for (const subscriber of subscribers) subscriber.complete();
  }

  private close() {
    if (this.closed) return;
    this.closed = true;
    this.coalescer.stop();
    this.subscribers.clear();
    this.stopUpstream?.();
    this.onEmpty();
  }
}
