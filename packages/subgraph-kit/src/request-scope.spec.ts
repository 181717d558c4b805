import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, nestLogger } from './logger.js';
import { currentRequest, observeRequests } from './request-scope.js';

// This file runs in its own worker process: the global tracer and context manager are its own.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const lines: Record<string, unknown>[] = [];
const raw: string[] = [];
const destination = new Writable({
  write(chunk, _encoding, done) {
    raw.push(String(chunk));
    lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
    done();
  },
});
const log = createLogger('svc', 'info', destination);
let server: Server;
let base: string;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const observe = observeRequests('svc', log);
  const tracer = provider.getTracer('test');
  // The span instrumentation-http would start; the handler stands in for Apollo and a resolver.
  server = createServer((req, res) =>
    tracer.startActiveSpan('POST', (span) => {
      res.on('finish', () => span.end());
      observe(req, res, () => {
        currentRequest()!.operation = 'SignIn';
        log.warn(
          { headers: req.headers, variables: { password: 'pw-in-variables' }, input: { password: 'pw-2' } },
          'resolver saw these',
        );
        res.end('{}');
      });
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  trace.disable();
  context.disable();
});

describe('request logs', () => {
  it('carry the trace id, the request id and the operation, and never a credential', async () => {
    lines.length = 0;
    raw.length = 0;
    const res = await fetch(`${base}/graphql?variables=%7B%22password%22%3A%22pw-in-url%22%7D`, {
      headers: {
        'x-request-id': 'req-42',
        authorization: 'Bearer token-secret',
        'x-api-key': 'key-secret',
        'x-marquee-internal': 'internal-secret',
        cookie: 'session=cookie-secret',
      },
    });
    expect(res.headers.get('x-request-id')).toBe('req-42');
    await res.text();
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({ 'marquee.service': 'svc', 'marquee.request_id': 'req-42' });
    expect(lines).toHaveLength(2); // the resolver's line, then the access log line
    for (const line of lines) {
      expect(line).toMatchObject({
        name: 'svc',
        request_id: 'req-42',
        operation: 'SignIn',
        trace_id: span!.spanContext().traceId,
      });
    }
    expect(lines[1]).toMatchObject({ msg: 'request completed', req: { method: 'GET', path: '/graphql' } });
    const output = raw.join('');
    for (const secret of [
      'pw-in-variables',
      'pw-2',
      'pw-in-url',
      'token-secret',
      'key-secret',
      'internal-secret',
      'cookie-secret',
    ])
      expect(output).not.toContain(secret);
  });

  it('makes up a request id when the caller sent none or an unusable one', async () => {
    const none = await fetch(`${base}/graphql`);
    const odd = await fetch(`${base}/graphql`, { headers: { 'x-request-id': 'a b"c' } });
    for (const res of [none, odd]) expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers.get('x-request-id')).not.toBe(odd.headers.get('x-request-id'));
  });
});

describe('nestLogger', () => {
  it('passes warnings and errors on as JSON, and Nest`s chatter only at debug', () => {
    lines.length = 0;
    const nest = nestLogger(log);
    nest.log('Mapped {/graphql, POST} route', 'RouterExplorer');
    nest.warn('deprecated option', 'GraphQLModule');
    nest.error('boom', 'Error: boom\n    at x', 'ExceptionsHandler');
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, nest: 'GraphQLModule', msg: 'deprecated option' }),
      expect.objectContaining({
        level: 50,
        nest: 'ExceptionsHandler',
        msg: 'boom',
        stack: 'Error: boom\n    at x',
      }),
    ]);
  });
});
