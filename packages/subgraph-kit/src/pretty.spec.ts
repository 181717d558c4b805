import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { prettyDestination } from './pretty.js';

const capture = () => {
  const lines: string[] = [];
  return { lines, write: (text: string) => void lines.push(text) };
};

const accessLine = (fields: Record<string, unknown> = {}) => ({
  level: 30,
  time: Date.UTC(2030, 0, 1, 12, 0, 0),
  pid: 1,
  hostname: 'vm',
  name: 'gateway',
  reqId: 'r-1',
  req: { method: 'POST', path: '/graphql' },
  request_id: 'r-1',
  operation: 'SignIn',
  res: { status: 200 },
  responseTime: 34,
  msg: 'request completed',
  ...fields,
});

describe('pretty log lines', () => {
  it('say a request in one line: method, path, status, operation, time', () => {
    const out = capture();
    prettyDestination(out).write(`${JSON.stringify(accessLine())}\n`);
    expect(out.lines).toHaveLength(1);
    const [line] = out.lines;
    expect(line!.trimEnd().split('\n')).toHaveLength(1);
    expect(line).toMatch(/INFO.*\(gateway\): POST \/graphql 200 SignIn 34 ms$/m);
    expect(line).not.toMatch(/r-1|pid|hostname|request completed/);
  });

  it('keep what a failed request and other lines say', () => {
    const out = capture();
    const destination = prettyDestination(out);
    destination.write(
      `${JSON.stringify(accessLine({ level: 50, res: { status: 503 }, err: { message: 'boom' } }))}\n`,
    );
    destination.write(`${JSON.stringify({ level: 40, time: 0, name: 'bus', msg: 'slow', ms: 12 })}\n`);
    destination.write('not json\n');
    expect(out.lines[0]).toMatch(/POST \/graphql 503 SignIn 34 ms/);
    expect(out.lines[0]).toMatch(/r-1/);
    expect(out.lines[0]).toMatch(/boom/);
    expect(out.lines[1]).toMatch(/WARN.*\(bus\): slow.*"ms":12/);
    expect(out.lines[2]).toBe('not json\n');
  });

  it('are no colour codes when the output is not a terminal', () => {
    const out = capture();
    prettyDestination(out).write(`${JSON.stringify(accessLine())}\n`);
    expect(out.lines[0]).not.toContain('\u001b[');
  });
});

describe('request lines', () => {
  it('are left out while requestLines() says so; failed requests and other lines never are', () => {
    const written: Record<string, unknown>[] = [];
    const destination = {
      write: (line: string) => void written.push(JSON.parse(line) as Record<string, unknown>),
    };
    let shown = false;
    const log = createLogger('svc', 'info', { destination, requestLines: () => shown });
    const request = log.child({ reqId: 'r-1' });
    request.info({ res: { status: 200 }, responseTime: 3 }, 'request completed');
    request.error({ res: { status: 500 }, responseTime: 3, err: new Error('boom') }, 'request failed');
    log.info({ port: 4000 }, 'listening');
    shown = true;
    request.info({ res: { status: 200 }, responseTime: 4 }, 'request completed');
    expect(written.map((line) => [line.msg, line.responseTime])).toEqual([
      ['request failed', 3],
      ['listening', undefined],
      ['request completed', 4],
    ]);
  });
});
